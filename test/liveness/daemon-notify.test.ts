/**
 * `vigil run` under a stand-in for systemd (a datagram socket at NOTIFY_SOCKET; systemd itself cannot run here, it
 * is not PID 1): the daemon's notifications arrive in order and from its own pid — STATUS while starting, READY,
 * STATUS on a transition, RELOADING (with MONOTONIC_USEC) then READY around a SIGHUP's reload, STOPPING on SIGTERM —
 * and WATCHDOG=1 keeps coming at WATCHDOG_USEC's pace except while its VRRP thread is held busy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLan } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { startDaemon, vrrpConfig, type Daemon, stopDaemons } from '../daemon/daemons.js';
import { fakeNotifySocket, has, type Notification } from './fake-notify-socket.js';

const STALLING_VIGIL = join(fileURLToPath(import.meta.url), '../stalling-vigil.js');
/** WatchdogSec as systemd would give it: 0.8 s, so a ping every 200 ms. */
const WATCHDOG_USEC = 800_000;
/** Seven ping periods of a busy VRRP thread. */
const STALL_MS = 1400;

const starts = (prefix: string) => (n: Notification): boolean => n.fields.some((f) => f.startsWith(prefix));

test('vigil run tells a fake systemd READY, STATUS, RELOADING/READY, STOPPING; its watchdog pings stop while the VRRP thread stalls', { timeout: 120_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const lan = await createLan({ name: 'lvn', hosts: ['a'], v4Prefix: '192.168.77.X', v4Start: 65, v4PrefixLength: 26 });
  const sink = fakeNotifySocket();
  let d: Daemon | undefined;
  try {
    d = startDaemon(lan, lan.host('a'), 'vigil', vrrpConfig({ vrid: 91, priority: 100, version: 3, vip: '192.168.77.100/26' }), {
      env: { NOTIFY_SOCKET: sink.address, WATCHDOG_USEC: String(WATCHDOG_USEC), VIGIL_TEST_STALL_MS: String(STALL_MS) },
      wrap: (argv) => [process.execPath, STALLING_VIGIL, ...argv.slice(1)],
    });
    const daemon = d;
    const r = sink.received;
    const ready = await sink.waitFor(has('READY=1'));
    assert.deepEqual(r[0]?.fields, ['WATCHDOG=1'], 'the watchdog is fed from the first moment');
    assert.ok(r[1]?.fields[0]?.startsWith('STATUS=starting from '), JSON.stringify(r[1]));
    assert.match(r[ready]!.fields.join('|'), /STATUS=1 VRRP instance\(s\): 1 (BACKUP|MASTER); 0 virtual server\(s\)/);
    // No backup is there: the instance becomes MASTER after Master_Down_Interval, and STATUS follows.
    await sink.waitFor((n) => n.fields.includes('STATUS=1 VRRP instance(s): 1 MASTER; 0 virtual server(s)'), ready);

    // Pings at WATCHDOG_USEC / 4 while nothing stalls.
    const afterReady = sink.received.length;
    for (let k = 0, from = afterReady; k < 3; k++) from = (await sink.waitFor(has('WATCHDOG=1'), from)) + 1;

    // A reload: RELOADING=1 with the monotonic time, then READY=1.
    daemon.kill('SIGHUP');
    const reloading = await sink.waitFor(has('RELOADING=1'), afterReady);
    assert.ok(r[reloading]!.fields.some((f) => /^MONOTONIC_USEC=[1-9][0-9]*$/.test(f)), JSON.stringify(r[reloading]));
    const reloaded = await sink.waitFor(has('READY=1'), reloading);
    assert.match(r[reloaded]!.fields.join('|'), /STATUS=1 VRRP instance\(s\): 1 MASTER/);

    // The VRRP thread held busy for seven ping periods: not one ping in between, and they come back after.
    daemon.kill('SIGWINCH');
    const begin = await sink.waitFor(has('X_VIGIL_TEST=stall-begin'), reloaded);
    const end = await sink.waitFor(has('X_VIGIL_TEST=stall-end'), begin);
    assert.deepEqual(
      r.slice(begin + 1, end).filter(has('WATCHDOG=1')),
      [],
      'a stalled VRRP thread sends no watchdog ping (systemd would kill it after WatchdogSec)',
    );
    await sink.waitFor(has('WATCHDOG=1'), end);

    // SIGTERM: STOPPING=1, then a clean exit.
    daemon.kill('SIGTERM');
    await sink.waitFor(has('STOPPING=1'), end);
    assert.equal(await daemon.exited(20_000), 0, daemon.log());
    assert.deepEqual(
      r.filter((n) => n.pid !== daemon.proc.pid).map((n) => n.fields),
      [],
      'every notification comes from the daemon\'s own pid (NotifyAccess=main)',
    );
    assert.ok(r.filter(starts('READY=1')).length === 2, 'READY once at start, once after the reload');
  } finally {
    await stopDaemons(lan, [d]);
    sink.close();
  }
});
