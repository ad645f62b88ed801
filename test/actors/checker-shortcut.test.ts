/**
 * The steady-state shortcut of a checker (actors/checks/checker-runner.ts): a result the machine already answered with
 * "next probe after d" and nothing else, in the snapshot it left, is answered the same way without the machine.
 * It must never change an outcome: the same reports, probes and pool changes at the same virtual times as a run
 * where every result goes through the machine (the shortcut switched off), and as an observed run (which keeps
 * the shortcut, its inspector told of each result so answered), through failures, retries, recovery, alpha,
 * MISC_CHECK's from-start schedule with dynamic weights, ha_suspend and probes asked for at once — and the
 * shortcut must actually be taken.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { SimulatedProber, type SimFault, type SimServerState } from '../../sim/simulated-prober.js';
import { SimulatedBackend } from '../../sim/simulated-backend.js';
import { InProcessCheckerHost } from '../../actors/checks/checker-host.js';
import { HealthChecks } from '../../actors/lvs/health-checks.js';
import type { ResolvedVirtualServer } from '../../actors/checks/resolve-checkers.js';
import { virtualServersOf } from '../checkers/lvs-config.js';
import type { InspectionEvent } from 'xstate';

const up: SimServerState = { mode: 'up', latencyMs: 2 };
const slow: SimServerState = { mode: 'up', latencyMs: 40 };
const silent: SimServerState = { mode: 'silent' };
const refuse: SimServerState = { mode: 'refuse', latencyMs: 1 };

const TCP = 'TCP_CHECK {\n}';

/** A real_server block on 192.168.77.(10 + n):80 with its checker blocks. */
const rs = (n: number, checkers: string[] = [TCP]): string => `real_server 192.168.77.${10 + n} 80 {\n${checkers.join('\n')}\n}`;

/** virtual_server 192.168.77.100 PORT (TCP, rr, NAT, delay_loop 2, retry 2, delay_before_retry 1, connect_timeout 1.5, warmup 3); `extra` lines win. */
function vs(port: number, realServers: string[], extra: string[] = []): string {
  const head = ['protocol TCP', 'lb_algo rr', 'lb_kind NAT', 'delay_loop 2', 'retry 2', 'delay_before_retry 1', 'connect_timeout 1.5', 'warmup 3'];
  return `virtual_server 192.168.77.100 ${port} {\n${[...head, ...extra, ...realServers].join('\n')}\n}\n`;
}

/** The VRRP instance whose address is the virtual servers' (ha_suspend follows it). */
const VI_1 = 'vrrp_instance VI_1 {\ninterface eth0\nvirtual_router_id 51\nvirtual_ipaddress {\n192.168.77.100/24\n}\n}\n';

/** The checker of 192.168.77.13 in the virtual server on port 84, as resolve-checkers names it. */
const NOW = '192.168.77.100:84|192.168.77.13:80|0:TCP_CHECK';

interface Scenario {
  readonly name: string;
  readonly specs: ResolvedVirtualServer[];
  readonly servers: Record<string, SimServerState>;
  readonly faults: SimFault[];
  /** Things done to the world at given times (VRRP state changes, probes now). */
  readonly actions?: [number, (w: { health: HealthChecks; host: InProcessCheckerHost }) => void][];
  readonly untilMs: number;
}

const misc = (path: string): string => `MISC_CHECK {\nmisc_path ${path}\nmisc_timeout 1\nmisc_dynamic\ndelay_loop 3\n}`;

const scenarios: Scenario[] = [
  {
    name: 'failures, retries and recovery (refused, silent, slow, flapping)',
    specs: virtualServersOf(vs(80, [rs(1), rs(2), rs(3), rs(4)])),
    servers: { '192.168.77.11': up, '192.168.77.12': up, '192.168.77.13': up, '192.168.77.14': up },
    faults: [
      { atMs: 20_000, target: '192.168.77.12', state: refuse },
      { atMs: 21_000, target: '192.168.77.13', state: silent },
      { atMs: 50_000, target: '192.168.77.12', state: up },
      { atMs: 70_000, target: '192.168.77.13', state: up },
      // A lone failure, retried and then answered: the count resets.
      { atMs: 30_000, target: '192.168.77.14', state: refuse },
      { atMs: 32_500, target: '192.168.77.14', state: up },
      // Slower answers: another latency, the same verdict.
      { atMs: 40_000, target: '192.168.77.11', state: slow },
      // Slower than connect_timeout: stale answers, timeouts.
      { atMs: 80_000, target: '192.168.77.11', state: { mode: 'up', latencyMs: 2000 } },
      { atMs: 100_000, target: '192.168.77.11', state: up },
    ],
    untilMs: 130_000,
  },
  {
    name: 'alpha',
    specs: virtualServersOf(vs(81, [rs(1), rs(2), rs(3)], ['alpha'])),
    servers: { '192.168.77.11': up, '192.168.77.12': refuse, '192.168.77.13': silent },
    faults: [
      { atMs: 30_000, target: '192.168.77.12', state: up },
      { atMs: 45_000, target: '192.168.77.11', state: refuse },
      { atMs: 60_000, target: '192.168.77.13', state: up },
    ],
    untilMs: 90_000,
  },
  {
    name: 'MISC_CHECK from start, misc_dynamic weights, a run past misc_timeout',
    specs: virtualServersOf(vs(82, [rs(1, [misc('/bin/a')]), rs(2, [misc('/bin/b')])], ['retry 1'])),
    servers: {
      'misc:/bin/a': { mode: 'up', latencyMs: 300, weight: { kind: 'absolute', value: 10 } },
      'misc:/bin/b': { mode: 'up', latencyMs: 100 },
    },
    faults: [
      { atMs: 20_000, target: 'misc:/bin/a', state: { mode: 'up', latencyMs: 700, weight: { kind: 'absolute', value: 10 } } },
      { atMs: 30_000, target: 'misc:/bin/a', state: { mode: 'up', latencyMs: 700, weight: { kind: 'absolute', value: 20 } } },
      { atMs: 40_000, target: 'misc:/bin/a', state: { mode: 'refuse', latencyMs: 50 } },
      { atMs: 55_000, target: 'misc:/bin/a', state: { mode: 'up', latencyMs: 300, weight: { kind: 'absolute', value: 5 } } },
      { atMs: 25_000, target: 'misc:/bin/b', state: { mode: 'up', latencyMs: 1500 } },
      { atMs: 45_000, target: 'misc:/bin/b', state: { mode: 'up', latencyMs: 100 } },
    ],
    untilMs: 80_000,
  },
  {
    name: 'ha_suspend: disabled, enabled, disabled again, enabled while failing; probes asked for at once',
    specs: virtualServersOf(VI_1 + vs(83, [rs(1), rs(2)], ['ha_suspend']) + vs(84, [rs(3)])),
    servers: { '192.168.77.11': up, '192.168.77.12': up, '192.168.77.13': up },
    faults: [
      { atMs: 35_000, target: '192.168.77.12', state: refuse },
      { atMs: 60_000, target: '192.168.77.12', state: up },
      { atMs: 40_000, target: '192.168.77.13', state: refuse },
    ],
    actions: [
      [10_000, (w) => w.health.vrrpState('VI_1', 'MASTER')],
      [30_000, (w) => w.health.vrrpState('VI_1', 'BACKUP')],
      [37_500, (w) => w.health.vrrpState('VI_1', 'MASTER')],
      [70_000, (w) => w.health.vrrpState('VI_1', 'BACKUP')],
      [75_000, (w) => w.health.vrrpState('VI_1', 'MASTER')],
      [20_000.5, (w) => w.host.checkNow([NOW])],
      [40_000.5, (w) => w.host.checkNow([NOW])],
      [41_000.5, (w) => w.host.checkNow([NOW])],
    ],
    untilMs: 100_000,
  },
];

function run(s: Scenario, mode: 'plain' | 'no-shortcut' | 'observed') {
  const clock = new VirtualClock();
  const random = new SeededRandom(5);
  const prober = new SimulatedProber(clock, s.servers, s.faults);
  let steps = 0;
  let absorbed = 0;
  // An observed run: XState reports the results that go through the machine, the hook those that do not.
  const inspect =
    mode === 'observed'
      ? Object.assign(
          (e: InspectionEvent) => {
            if (e.type === '@xstate.event' && e.event.type === 'PROBE_RESULT') steps++;
          },
          { absorbed: () => void absorbed++ },
        )
      : undefined;
  const host = new InProcessCheckerHost({
    clock,
    random: random.fork('checkers'),
    prober,
    steadyShortcut: mode !== 'no-shortcut',
    ...(inspect ? { inspect } : {}),
  });
  const backend = new SimulatedBackend(clock);
  const health = new HealthChecks({ clock, host, backend, immediateApply: true, ...(inspect ? { inspect } : {}) });
  const log: string[] = [];
  health.events$.subscribe((e) => {
    if (e.kind === 'probe') log.push(`${e.at} probe ${e.checker} ${e.ok} ${e.detail} ${e.latencyMs}`);
    else if (e.kind === 'report') log.push(`${e.at} report ${JSON.stringify(e.report)}`);
    else if (e.kind !== 'lb_applied') log.push(`${e.at} ${JSON.stringify(e)}`);
  });
  health.start(s.specs);
  for (const [at, act] of s.actions ?? []) clock.setTimeout(() => act({ health, host }), at);
  clock.runUntil(s.untilMs);
  const pools = backend.history.filter((h) => h.changed).map((h) => `${h.at} ${JSON.stringify(h.state)}`);
  return { log, pools, shortcuts: host.shortcuts, steps, absorbed };
}

for (const s of scenarios) {
  test(`checker shortcut, ${s.name}: the same reports, probes and pools at the same times as an observed run`, () => {
    const plain = run(s, 'plain');
    const off = run(s, 'no-shortcut');
    const observed = run(s, 'observed');
    assert.equal(off.shortcuts, 0, 'without the shortcut every result goes through the machine');
    assert.ok(plain.shortcuts > 10, `${plain.shortcuts} shortcuts`);
    assert.ok(plain.log.some((l) => l.includes(' report ')), 'something was reported');
    assert.deepEqual(plain.log, off.log);
    assert.deepEqual(plain.pools, off.pools);
    assert.deepEqual(observed.log, off.log);
    assert.deepEqual(observed.pools, off.pools);
    // Observed, the shortcut stays on; the inspector hears of every result, from XState or from the hook.
    assert.equal(observed.shortcuts, plain.shortcuts);
    assert.equal(observed.absorbed, observed.shortcuts);
    const probes = observed.log.filter((l) => l.includes(' probe ')).length;
    assert.equal(observed.steps + observed.absorbed, probes, 'every result told');
  });
}

test('checker shortcut: most results of a steady pool skip the machine, and a change still gets through at once', () => {
  const s = scenarios[0]!;
  const plain = run(s, 'plain');
  const probes = plain.log.filter((l) => l.includes(' probe ')).length;
  assert.ok(plain.shortcuts > probes / 2, `${plain.shortcuts} of ${probes}`);
  // 192.168.77.12 refuses from 20 s: DOWN after its first failure and two retries, 1 s apart.
  const down = plain.log.find((l) => l.includes('report') && l.includes('192.168.77.12') && l.includes('"up":false'));
  const first = plain.log.find((l) => l.includes('probe') && l.includes('192.168.77.12') && l.includes('false') && Number(l.split(' ')[0]) >= 20_000);
  assert.ok(down && first, 'reported');
  assert.equal(Number(down.split(' ')[0]) - Number(first.split(' ')[0]), 2 * (1000 + 1));
});

test('checker shortcut: the checker the ha_suspend scenario probes at once is one of its checkers', () => {
  const ids = scenarios[3]!.specs.flatMap((v) => v.realServers.flatMap((r) => r.checkers.map((c) => c.id)));
  assert.ok(ids.includes(NOW), ids.join(', '));
});
