/**
 * sd_notify over the addon's AF_UNIX datagram socket: what the daemon sends reaches a socket bound at a path and at
 * an abstract name, with this process's pid as the kernel gives it; the environment decides whether there is a
 * service manager and a watchdog, and is cleared of the notify variables.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nativeAvailable } from '../../native/index.js';
import { notifyEnvironment, SdNotify, serviceManagerFromEnvironment } from '../../transport/real/sd-notify.js';
import { fakeNotifySocket, has } from './fake-notify-socket.js';

const skip = nativeAvailable() ? false : 'vigil_native addon not built (npm run build:native)';

test('NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID as sd_notify and sd_watchdog_enabled read them', () => {
  assert.equal(notifyEnvironment({}, 10), undefined, 'no NOTIFY_SOCKET: nothing to tell');
  assert.equal(notifyEnvironment({ NOTIFY_SOCKET: 'relative/path' }, 10), undefined, 'neither a path nor an abstract name');
  assert.equal(notifyEnvironment({ NOTIFY_SOCKET: '@' }, 10), undefined);
  assert.deepEqual(notifyEnvironment({ NOTIFY_SOCKET: '/run/systemd/notify' }, 10), { socket: '/run/systemd/notify', watchdogMs: undefined });
  assert.deepEqual(notifyEnvironment({ NOTIFY_SOCKET: '@sd', WATCHDOG_USEC: '5000000' }, 10), { socket: '@sd', watchdogMs: 5000 });
  assert.equal(notifyEnvironment({ NOTIFY_SOCKET: '@sd', WATCHDOG_USEC: '5000000', WATCHDOG_PID: '10' }, 10)?.watchdogMs, 5000);
  assert.equal(notifyEnvironment({ NOTIFY_SOCKET: '@sd', WATCHDOG_USEC: '5000000', WATCHDOG_PID: '11' }, 10)?.watchdogMs, undefined, 'the watchdog is for another process');
  assert.equal(notifyEnvironment({ NOTIFY_SOCKET: '@sd', WATCHDOG_USEC: '0' }, 10)?.watchdogMs, undefined);
  assert.equal(notifyEnvironment({ NOTIFY_SOCKET: '@sd', WATCHDOG_USEC: '-5' }, 10)?.watchdogMs, undefined);
  assert.equal(notifyEnvironment({ NOTIFY_SOCKET: '@sd', WATCHDOG_USEC: '5s' }, 10)?.watchdogMs, undefined);
});

test('serviceManagerFromEnvironment clears the notify variables; without NOTIFY_SOCKET there is no manager', { skip }, () => {
  const saved = { ...process.env };
  try {
    delete process.env['NOTIFY_SOCKET'];
    process.env['WATCHDOG_USEC'] = '1000000';
    assert.equal(serviceManagerFromEnvironment(() => {}), undefined);
    assert.equal(process.env['WATCHDOG_USEC'], undefined);
    process.env['NOTIFY_SOCKET'] = '@vigil-liveness-unused';
    process.env['WATCHDOG_USEC'] = '2000000';
    process.env['WATCHDOG_PID'] = String(process.pid);
    const manager = serviceManagerFromEnvironment(() => {});
    assert.ok(manager);
    assert.equal(manager.watchdogMs, 2000);
    for (const name of ['NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID']) assert.equal(process.env[name], undefined, name);
    manager.close();
  } finally {
    process.env = saved;
  }
});

for (const abstract of [false, true]) {
  test(`every notification reaches a socket at ${abstract ? 'an abstract name' : 'a path'}, from this pid`, { skip }, async () => {
    const sink = fakeNotifySocket({ abstract });
    const manager = new SdNotify({ socket: sink.address, watchdogMs: undefined });
    try {
      manager.status('starting');
      manager.ready('2 VRRP instance(s)\nsecond line');
      manager.reloading('reloading /etc/keepalived/keepalived.conf');
      manager.ready('done');
      manager.watchdog();
      manager.stopping('stopping');
      await sink.waitFor(has('STOPPING=1'));
      const fields = sink.received.map((n) => n.fields);
      assert.deepEqual(fields[0], ['STATUS=starting']);
      assert.deepEqual(fields[1], ['READY=1', 'STATUS=2 VRRP instance(s) second line'], 'a STATUS= value stays one line');
      assert.equal(fields[2]![0], 'RELOADING=1');
      const monotonic = fields[2]!.find((f) => f.startsWith('MONOTONIC_USEC='));
      assert.match(monotonic ?? '', /^MONOTONIC_USEC=[1-9][0-9]*$/, 'systemd 253+ wants the monotonic time with RELOADING=1');
      assert.deepEqual(fields.slice(3), [['READY=1', 'STATUS=done'], ['WATCHDOG=1'], ['STOPPING=1', 'STATUS=stopping']]);
      assert.ok(sink.received.every((n) => n.pid === process.pid), 'the kernel names this process as the sender');
      assert.equal(manager.failures, 0);
    } finally {
      manager.close();
      sink.close();
    }
  });
}

test('a socket nobody listens at: said once, counted, never thrown', { skip }, () => {
  const said: string[] = [];
  const manager = new SdNotify({ socket: '/nonexistent-vigil-liveness/notify.sock', watchdogMs: 1000 }, (m) => said.push(m));
  manager.ready('x');
  manager.watchdog();
  manager.watchdog();
  manager.close();
  assert.equal(manager.failures, 3);
  assert.equal(said.length, 1);
  assert.match(said[0]!, /ENOENT|No such file/);
});
