/**
 * `vigil` (cli/main.ts) with one thing added for tests, outside the daemon: on SIGWINCH its main thread (the VRRP
 * thread) is held busy for VIGIL_TEST_STALL_MS, bracketed by two notifications on NOTIFY_SOCKET
 * (X_VIGIL_TEST=stall-begin / stall-end, which systemd would ignore) so the receiver knows which of the daemon's
 * datagrams were sent during the stall: none may be a watchdog ping. It does nothing unless VIGIL_TEST_STALL_MS is
 * set (the test runner also executes every .js under dist/test).
 */
import { openUnixDatagramSocket } from '../../native/index.js';

const target = process.env['NOTIFY_SOCKET'];
const stallMs = Number(process.env['VIGIL_TEST_STALL_MS']);
if (process.env['VIGIL_TEST_STALL_MS'] !== undefined) await run();

async function run(): Promise<void> {
  process.on('SIGWINCH', () => {
    if (target === undefined) return;
    const socket = openUnixDatagramSocket();
    socket.send(target, Buffer.from('X_VIGIL_TEST=stall-begin\n'));
    const until = performance.now() + stallMs;
    while (performance.now() < until) {
      // busy: no timer, no I/O, no ping can run on this thread
    }
    socket.send(target, Buffer.from('X_VIGIL_TEST=stall-end\n'));
    socket.close();
  });
  await import('../../cli/main.js');
}
