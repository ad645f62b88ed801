/**
 * The notification policy on the simulator's clock: READY, RELOADING/READY, STOPPING and STATUS in order, and
 * WATCHDOG=1 every quarter of the watchdog's timeout for as long as the clock runs, none without a watchdog.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { Bus } from '../../actors/bus.js';
import { PINGS_PER_WATCHDOG_TIMEOUT, ServiceLiveness, STATUS_COALESCE_MS } from '../../actors/daemon/service-liveness.js';
import type { ServiceManager } from '../../transport/service-manager.js';

class RecordingManager implements ServiceManager {
  readonly calls: string[] = [];
  constructor(readonly watchdogMs: number | undefined) {}
  ready(status: string): void {
    this.calls.push(`READY ${status}`);
  }
  reloading(status: string): void {
    this.calls.push(`RELOADING ${status}`);
  }
  stopping(status: string): void {
    this.calls.push(`STOPPING ${status}`);
  }
  status(text: string): void {
    this.calls.push(`STATUS ${text}`);
  }
  watchdog(): void {
    this.calls.push('WATCHDOG');
  }
  pings(): number {
    return this.calls.filter((c) => c === 'WATCHDOG').length;
  }
}

const transition = (bus: Bus, to: 'MASTER' | 'BACKUP', at: number): void =>
  bus.publish({ kind: 'transition', at, node: 'n', instance: 'VI_1', from: 'INIT', to, priority: 100 });

test('WATCHDOG=1 every quarter of WATCHDOG_USEC from the first moment until close', () => {
  const clock = new VirtualClock();
  const manager = new RecordingManager(2000);
  const liveness = new ServiceLiveness(manager, clock, () => 'x');
  assert.equal(manager.pings(), 1, 'the first ping at once, before start-up is over');
  clock.runFor(10_000);
  // 10 s at one ping per 500 ms, plus the first one.
  assert.equal(manager.pings(), 1 + (10_000 / 2000) * PINGS_PER_WATCHDOG_TIMEOUT);
  liveness.close();
  clock.runFor(10_000);
  assert.equal(manager.pings(), 21, 'no ping after close');
  assert.equal(clock.pending, 0, 'no timer left behind');
});

test('no watchdog (WATCHDOG_USEC unset or for another pid): no pings, nothing scheduled', () => {
  const clock = new VirtualClock();
  const manager = new RecordingManager(undefined);
  const liveness = new ServiceLiveness(manager, clock, () => 'x');
  clock.runFor(60_000);
  assert.equal(manager.pings(), 0);
  assert.equal(clock.pending, 0);
  liveness.close();
});

test('STARTING, READY, RELOADING/READY (taken and rejected), STOPPING, in order, with their STATUS lines', () => {
  const clock = new VirtualClock();
  const manager = new RecordingManager(undefined);
  let description = '1 VRRP instance(s): 1 BACKUP; 0 virtual server(s)';
  const liveness = new ServiceLiveness(manager, clock, () => description);
  const bus = new Bus();
  liveness.starting('/etc/keepalived/keepalived.conf');
  liveness.ready(bus);
  liveness.reloading('/etc/keepalived/keepalived.conf');
  liveness.reloaded({ ok: true, kept: ['VI_1'], started: [], stopped: [] });
  liveness.reloading('/etc/keepalived/keepalived.conf');
  liveness.reloaded({ ok: false, error: 'keepalived.conf:3: unknown keyword' });
  description = 'changed';
  liveness.stopping('SIGTERM');
  assert.deepEqual(manager.calls, [
    'STATUS starting from /etc/keepalived/keepalived.conf',
    'READY 1 VRRP instance(s): 1 BACKUP; 0 virtual server(s)',
    'RELOADING reloading /etc/keepalived/keepalived.conf',
    'READY 1 VRRP instance(s): 1 BACKUP; 0 virtual server(s)',
    'RELOADING reloading /etc/keepalived/keepalived.conf',
    'READY reload rejected, the running configuration stays (keepalived.conf:3: unknown keyword); 1 VRRP instance(s): 1 BACKUP; 0 virtual server(s)',
    'STOPPING stopping (SIGTERM): priority 0 from masters, addresses released',
  ]);
  liveness.close();
});

test('transitions refresh STATUS once per burst, only when it changed, only while running', () => {
  const clock = new VirtualClock();
  const manager = new RecordingManager(undefined);
  let description = '1 VRRP instance(s): 1 BACKUP; 0 virtual server(s)';
  const liveness = new ServiceLiveness(manager, clock, () => description);
  const bus = new Bus();
  liveness.ready(bus);
  description = '1 VRRP instance(s): 1 MASTER; 0 virtual server(s)';
  for (let i = 0; i < 10; i++) transition(bus, i % 2 === 0 ? 'MASTER' : 'BACKUP', clock.now());
  clock.runFor(STATUS_COALESCE_MS);
  assert.deepEqual(manager.calls.slice(1), ['STATUS 1 VRRP instance(s): 1 MASTER; 0 virtual server(s)'], 'ten transitions, one line');
  transition(bus, 'MASTER', clock.now());
  clock.runFor(STATUS_COALESCE_MS);
  assert.equal(manager.calls.length, 2, 'the same description is not sent again');
  liveness.stopping('SIGTERM');
  description = 'something else';
  transition(bus, 'BACKUP', clock.now());
  clock.runFor(STATUS_COALESCE_MS);
  assert.equal(manager.calls.at(-1), 'STOPPING stopping (SIGTERM): priority 0 from masters, addresses released', 'no STATUS after STOPPING');
  liveness.close();
  transition(bus, 'MASTER', clock.now());
  assert.equal(clock.pending, 0, 'closed: the bus is no longer followed');
});
