/**
 * The checker side is built a slice per turn of the clock (issue 13, "Liveness"): the daemon builds it on the VRRP
 * thread, at start and on a reload that changed it, and 2,000 checkers built at once held that thread for seconds.
 * On the virtual clock (where a slice ends by its count of checkers, the clock's time standing still) these tests
 * check that whatever else is due (an advertisement's timer) runs between two slices, that the load balancer is
 * given the whole state once rather than a first slice's services, that a stop ends the building, and that a VRRP
 * transition during the building reaches the virtual servers built after it (ha_suspend).
 * test/liveness/reload-checkers.test.ts shows the same on a real master's advertisements.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Subject } from 'rxjs';
import { loadConfigText } from '../../config/load.js';
import { eachVirtualServer } from '../../actors/checks/resolve-checkers.js';
import type { CheckerAddOptions, CheckerHost, HostEvent } from '../../actors/checks/checker-host.js';
import type { ResolvedChecker } from '../../actors/checks/resolve-checkers.js';
import { HealthChecks, type BuildSlice } from '../../actors/lvs/health-checks.js';
import type { DesiredState } from '../../machines/desired-state.js';
import type { ApplyReport, LoadBalancerBackend } from '../../transport/lb/load-balancer.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { generateConfig } from '../../bench/config-generate.js';

/** A checker host that only records what it is given (the checkers' running is not what is tested here). */
class RecordingHost implements CheckerHost {
  readonly events$ = new Subject<HostEvent>();
  readonly adds: { checkers: readonly ResolvedChecker[]; disabled: readonly string[] }[] = [];
  add(checkers: readonly ResolvedChecker[], options: CheckerAddOptions = {}): void {
    this.adds.push({ checkers, disabled: [...(options.disabled ?? [])] });
  }
  remove(): void {}
  setEnabled(): void {}
  async counters(): Promise<{ probes: number; failures: number }> {
    return { probes: 0, failures: 0 };
  }
  async stop(): Promise<void> {}
  get total(): number {
    return this.adds.reduce((n, a) => n + a.checkers.length, 0);
  }
}

/** A backend that records the number of services of each state it is asked to apply. */
function recordingBackend(applied: number[]): LoadBalancerBackend {
  return {
    name: 'recording',
    async apply(state: DesiredState): Promise<ApplyReport> {
      applied.push(state.services.length);
      return { backend: 'recording', changed: true, services: state.services.length, liveDestinations: 0, operations: 1, approximations: [], warnings: [] };
    },
    async clear(): Promise<void> {},
  };
}

/** Runs the clock's events one by one (promise callbacks in between) until `done` or nothing is due. */
async function drive(clock: VirtualClock, done: () => boolean): Promise<void> {
  while (!done() && clock.step()) await new Promise((r) => setImmediate(r));
}

const SLICE: BuildSlice = { checkers: 64, ms: 4 };
const bigConfig = () => loadConfigText(generateConfig({ virtualServers: 500, realServers: 4 }), 'checkers.conf').config;

test('2,000 checkers are built a slice per turn: what is due runs between two slices, the load balancer gets the whole state once', async () => {
  const clock = new VirtualClock();
  const host = new RecordingHost();
  const applied: number[] = [];
  const health = new HealthChecks({ clock, host, backend: recordingBackend(applied), buildSlice: SLICE });
  // An advertisement's timer stand-in: due at every turn; it notes how many checkers each slice between two of
  // its turns added.
  const perTurn: number[] = [];
  let seen = 0;
  let ticking = true;
  const tick = (): void => {
    perTurn.push(host.total - seen);
    seen = host.total;
    if (ticking) clock.setTimeout(tick, 0);
  };
  clock.setTimeout(tick, 0);
  let finished = false;
  const built = health.start(eachVirtualServer(bigConfig())).then(() => (finished = true));
  // The first slice runs at once, in the caller's turn.
  assert.equal(host.total, SLICE.checkers, 'the first slice');
  assert.equal(health.isBuilding, true);
  await drive(clock, () => finished);
  await built;
  ticking = false;
  tick();
  assert.equal(host.total, 2000);
  assert.equal(health.virtualServers.length, 500);
  assert.ok(perTurn.length >= 2000 / SLICE.checkers, `${perTurn.length} turns of the timer during the build`);
  assert.ok(Math.max(...perTurn) <= SLICE.checkers, `at most one slice between two turns: ${Math.max(...perTurn)}`);
  // Nothing reached the load balancer while the slices were built; then the whole state, once.
  await drive(clock, () => applied.length > 0);
  await health.lb.flush();
  assert.deepEqual(applied, [500]);
  await health.stop();
});

test('a stop ends the building: what is built stays until stopped, the rest is never built, the load balancer is told nothing', async () => {
  const clock = new VirtualClock();
  const host = new RecordingHost();
  const applied: number[] = [];
  const health = new HealthChecks({ clock, host, backend: recordingBackend(applied), buildSlice: SLICE });
  const stop = new AbortController();
  let finished = false;
  const built = health.start(eachVirtualServer(bigConfig()), { signal: stop.signal }).then(() => (finished = true));
  for (let i = 0; i < 3; i++) clock.step();
  stop.abort();
  await built;
  assert.equal(finished, true);
  assert.equal(health.isBuilding, false);
  const built4 = host.total;
  assert.equal(built4, 4 * SLICE.checkers);
  clock.runFor(1000);
  await new Promise((r) => setImmediate(r));
  assert.equal(host.total, built4, 'nothing built after the stop');
  assert.deepEqual(applied, [], 'no partial state applied');
  await health.stop();
});

test('a VRRP transition during the building reaches the virtual servers built after it (ha_suspend)', async () => {
  const vs = (n: number): string => `virtual_server 192.168.77.${200 + n} 80 {
  delay_loop 6
  lb_algo rr
  lb_kind NAT
  protocol TCP
  ha_suspend
  real_server 192.168.77.${10 + n} 8080 {
    TCP_CHECK {
      connect_timeout 3
    }
  }
}
`;
  const text = `vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority 100
  virtual_ipaddress {
    192.168.77.200/24
    192.168.77.201/24
    192.168.77.202/24
  }
}
${vs(0)}${vs(1)}${vs(2)}`;
  const config = loadConfigText(text, 'ha.conf').config;
  const clock = new VirtualClock();
  const host = new RecordingHost();
  const health = new HealthChecks({ clock, host, backend: recordingBackend([]), buildSlice: { checkers: 1, ms: 4 } });
  let finished = false;
  const built = health.start(eachVirtualServer(config)).then(() => (finished = true));
  // The first virtual server was built while VI_1 was BACKUP: its checker starts paused.
  assert.deepEqual(host.adds.map((a) => a.disabled.length), [1]);
  health.vrrpState('VI_1', 'MASTER');
  await drive(clock, () => finished);
  await built;
  assert.deepEqual(host.adds.map((a) => a.disabled.length), [1, 0, 0], 'built after VI_1 became MASTER: checking at once');
  await health.stop();
});

test('a failure in a later slice rejects the building (the caller logs it); nothing is thrown out of the clock', async () => {
  const clock = new VirtualClock();
  const host = new RecordingHost();
  const add = host.add.bind(host);
  host.add = (checkers, options) => {
    if (host.adds.length === 2 * (SLICE.checkers / 4)) throw new Error('duplicate checker id x');
    add(checkers, options);
  };
  const health = new HealthChecks({ clock, host, backend: recordingBackend([]), buildSlice: SLICE });
  let outcome: unknown;
  const built = health.start(eachVirtualServer(bigConfig())).then(
    () => (outcome = 'resolved'),
    (err: unknown) => (outcome = err),
  );
  await drive(clock, () => outcome !== undefined);
  await built;
  assert.ok(outcome instanceof Error && outcome.message === 'duplicate checker id x', String(outcome));
  assert.equal(health.isBuilding, false);
  assert.equal(host.total, 2 * SLICE.checkers);
  await health.stop();
});

test('a clock that offers nextTurn is yielded to through it between two slices (the real clock: no timer sleep per slice)', async () => {
  // The virtual clock with nextTurn: a 0 ms timer, counted. A slice per turn must come through it, never a timer.
  class TurningClock extends VirtualClock {
    turns = 0;
    timers = 0;
    nextTurn(fn: () => void): number {
      this.turns++;
      return super.setTimeout(fn, 0);
    }
    override setTimeout(fn: () => void, ms: number): number {
      this.timers++;
      return super.setTimeout(fn, ms);
    }
  }
  const clock = new TurningClock();
  const host = new RecordingHost();
  const health = new HealthChecks({ clock, host, backend: recordingBackend([]), buildSlice: SLICE });
  let finished = false;
  const timersBefore = clock.timers;
  const built = health.start(eachVirtualServer(bigConfig())).then(() => (finished = true));
  await drive(clock, () => finished);
  await built;
  assert.equal(host.total, 2000);
  assert.equal(clock.turns, Math.ceil(2000 / SLICE.checkers) - 1, `${clock.turns} turns yielded through nextTurn`);
  // The virtual servers' own timers may use setTimeout; the building itself used none per slice.
  assert.ok(clock.timers - timersBefore < clock.turns, `${clock.timers - timersBefore} timers set during the build`);
  await health.stop();
});

test('a reload does not wait for the old checkers\' host to end: stopKeepingRules resolves while its stop is pending, and its reports reach nobody', async () => {
  const clock = new VirtualClock();
  let endStop: () => void = () => {};
  class SlowStopHost extends RecordingHost {
    stops = 0;
    override stop(): Promise<void> {
      this.stops++;
      return new Promise<void>((resolve) => (endStop = resolve));
    }
  }
  const host = new SlowStopHost();
  const health = new HealthChecks({ clock, host, backend: recordingBackend([]) });
  await health.start(eachVirtualServer(bigConfig()));
  const heard: string[] = [];
  // What the load balancer says (the state applied as the stop flushes it) is not what is looked at here.
  health.events$.subscribe({ next: (e) => void (e.kind.startsWith('lb_') || heard.push(e.kind)), complete: () => heard.push('complete') });
  await health.stopKeepingRules();
  assert.equal(host.stops, 1, 'the host was told to stop');
  assert.deepEqual(heard, ['complete']);
  let ended = false;
  void health.hostStopped?.then(() => (ended = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(ended, false, 'the host has not ended yet');
  // A late report of the old host reaches no virtual server and no subscriber.
  const checker = host.adds[0]!.checkers[0]!;
  host.events$.next({ kind: 'report', at: 0, report: { id: checker.id, up: false, weight: undefined, firstRun: true, detail: 'late' } });
  assert.deepEqual(heard, ['complete']);
  endStop();
  await health.hostStopped;
  assert.equal(ended, true);
});
