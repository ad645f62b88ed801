/**
 * Holds a real TunRouteAnnouncer in a process of its own, for the contract to run in a network namespace and to
 * kill (`ip netns exec NS node route-announcer-cli.js serve`): one JSON request a line on stdin (`{"op":"announce",
 * "vip":…,"table":…}`, withdraw, close), one answer a line on stdout (`{"ok":true}` or `{"error":…}`). Without
 * `serve` (the test runner runs every file under dist/test) it does nothing.
 */
import { createInterface } from 'node:readline';
import { TunRouteAnnouncer } from '../../transport/real/tun-route-announcer.js';

if (process.argv[2] === 'serve') {
  const announcer = new TunRouteAnnouncer(process.argv[3]);
  const lines = createInterface({ input: process.stdin });
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  for await (const line of lines) {
    const request = JSON.parse(line) as { op: 'announce' | 'withdraw' | 'close'; vip: string; table: number };
    try {
      if (request.op === 'close') await announcer.close();
      else await announcer[request.op]({ vip: request.vip, table: request.table });
      process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
    } catch (error) {
      process.stdout.write(`${JSON.stringify({ error: error instanceof Error ? error.message : String(error) })}\n`);
    }
  }
}
