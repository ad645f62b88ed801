/**
 * BFD between vigil's node (actors/bfd/ on UdpBfdLink and the real clock, through the agent) and FRR's bfdd run
 * alone in another namespace: receive / transmit interval 10 ms, detect multiplier 3. Up both ways; when bfdd is
 * killed vigil goes Down one Detection Time after the last packet it heard; when vigil's node stops, bfdd goes
 * down on "control detection time expired", and the capture at its interface shows its first Down packet one
 * Detection Time after vigil's last one. The bound allows a loaded machine's lateness; the times are printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { commandAvailable, createLan } from '../netns/harness.js';
import { startAgent } from './agent-client.js';
import { requireRealNetwork } from './helpers.js';
import { startFrrBfdd } from './bfd-peers.js';
import { parse } from '../config/helpers.js';
import { bfdSpecsFromConfig } from '../../actors/bfd/specs-from-config.js';
import { pollUntil } from '../contract/contract.js';
import { capture } from '../contract/pcap-capture.js';
import { LATENESS_MS, bfdChange, killAndDetect, waitFastRate } from './bfd-detection.js';

interface FrrPeer {
  status: string;
  diagnostic: string;
}

test("BFD interop with FRR's bfdd: Up both ways at 10 ms × 3, Down within the Detection Time either way", { timeout: 90_000 }, async (t) => {
  const bfdd = () => (existsSync('/usr/lib/frr/bfdd') ? { ok: true as const } : { ok: false as const, reason: 'FRR bfdd not installed (apt-get install frr)' });
  if (!requireRealNetwork(t, () => commandAvailable('tcpdump'), () => commandAvailable('vtysh'), bfdd)) return;
  const lan = await createLan({ name: 'bfdfr', hosts: ['vg', 'fr'], v4Prefix: '192.168.77.X', v4Start: 141, v4PrefixLength: 26 });
  const vg = lan.host('vg');
  const fr = lan.host('fr');
  const frrConfig = `log stdout informational\nbfd\n peer ${vg.ipv4} local-address ${fr.ipv4}\n  detect-multiplier 3\n  receive-interval 10\n  transmit-interval 10\n  no shutdown\n !\n!\n`;
  const agent = await startAgent(lan, vg.ns);
  const wire = await capture(lan, fr.ns, 'eth0', 'udp port 3784');
  let frr: Awaited<ReturnType<typeof startFrrBfdd>> | undefined;
  try {
    const parsed = parse(`bfd_instance to_frr {\n  neighbor_ip ${fr.ipv4}\n  source_ip ${vg.ipv4}\n  min_rx 10\n  min_tx 10\n  multiplier 3\n}\n`);
    assert.deepEqual(parsed.errors, []);
    assert.deepEqual(await agent.call('bfdNodeStart', { specs: bfdSpecsFromConfig(parsed.config.bfdInstances) }), []);
    frr = await startFrrBfdd(lan, fr.ns, frrConfig);
    const peer = async (): Promise<FrrPeer | undefined> => {
      try {
        return (JSON.parse((await frr!.show()) || '[]') as FrrPeer[])[0];
      } catch {
        return undefined;
      }
    };
    const change = (to: string, since: number) => bfdChange(agent, 'to_frr', to, since);

    await change('Up', 0).catch((e: Error) => assert.fail(`${e.message}\nbfdd:\n${frr?.log()}`));
    await pollUntil(async () => (await peer())?.status === 'up', 'bfdd up', 20_000, 50).catch((e: Error) => assert.fail(`${e.message}\n${frr?.log()}`));
    // bfdd dies: vigil is Down one Detection Time after bfdd's last packet.
    await killAndDetect(agent, 'to_frr', {
      label: 'bfdd',
      kill: () => frr!.kill(),
      stop: () => frr!.stop(),
      start: async () => {
        frr = await startFrrBfdd(lan, fr.ns, frrConfig);
      },
    });
    await frr.stop();

    // bfdd back: Up again; then vigil's node stops and bfdd expires.
    const again = agent.events.length;
    frr = await startFrrBfdd(lan, fr.ns, frrConfig);
    await change('Up', again).catch((e: Error) => assert.fail(`${e.message}\nbfdd:\n${frr?.log()}`));
    await pollUntil(async () => (await peer())?.status === 'up', 'bfdd up again', 20_000, 50);
    await waitFastRate(agent, 'to_frr');
    const mark = wire.frames.length;
    await agent.call('bfdNodeStop');
    await pollUntil(async () => (await peer())?.status === 'down', 'bfdd down', 10_000, 20);
    assert.equal((await peer())?.diagnostic, 'control detection time expired');
    // On the wire at bfdd's interface: vigil's last packet, then bfdd's first one saying Down.
    // Frames are Ethernet + IPv4 (20 bytes) + UDP: the source's last octet at 29, BFD's State bits at 43.
    const octet = (ip: string): number => Number(ip.split('.')[3]);
    const from = (f: Uint8Array, ip: string): boolean => f[29] === octet(ip);
    await pollUntil(() => wire.frames.slice(mark).some((f) => from(f, fr.ipv4) && f[43]! >> 6 === 1), 'bfdd sends Down', 10_000, 20);
    // vigil's last packet may have left before `mark` (it sends every 10 ms, and the stop can come sooner): it is the
    // last one before bfdd's first Down, wherever the capture has it.
    let firstDown = -1;
    for (let i = mark; i < wire.frames.length && firstDown < 0; i++) {
      const f = wire.frames[i]!;
      if (from(f, fr.ipv4) && f[43]! >> 6 === 1) firstDown = i;
    }
    let lastVigil = -1;
    for (let i = 0; i < firstDown; i++) if (from(wire.frames[i]!, vg.ipv4)) lastVigil = i;
    const start = Math.max(0, Math.min(mark, lastVigil));
    assert.ok(lastVigil >= 0 && firstDown > lastVigil, JSON.stringify(wire.frames.slice(start).map((f, i) => [f[29], f[43]! >> 6, (wire.times[start + i]! - wire.times[start]!).toFixed(1)])));
    const gap = wire.times[firstDown]! - wire.times[lastVigil]!;
    console.log(`# bfdd's first Down packet ${gap.toFixed(2)} ms after vigil's last packet on the wire`);
    assert.ok(gap >= 30 - 1 && gap <= 30 + LATENESS_MS, `bfdd Down on the wire after ${gap} ms`);
    assert.deepEqual(await agent.call('bfdNodeDrops'), {});
  } finally {
    wire.stop();
    await frr?.stop();
    await agent.stop();
    await lan.cleanup();
  }
});
