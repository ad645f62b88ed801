/**
 * The steady-state shortcut (actors/steady-shortcut.ts) must never change an outcome. A differential test: random
 * streams of events are played to a VRRP instance runner twice, with the shortcut on and off, and everything the
 * runner does must be identical, at identical virtual times: transitions, advertisements sent, VIPs, notifies,
 * drops, announcements and packets. The streams mix adverts (priorities 0 to 255, sources below and above ours,
 * several intervals, long runs of the same advert from a steady master), TRACK, SYNC, a change of our own
 * address (the tie-break), and time passing (Master_Down_Timer, Adver_Timer, preempt_delay, GARP timers).
 * The checker runner gets the same treatment with random server behaviour. A new seed every run, printed by
 * fast-check on failure; VIGIL_FUZZ_SEED replays one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Subject } from 'rxjs';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { Bus } from '../../actors/bus.js';
import { VrrpInstanceRunner } from '../../actors/vrrp/vrrp-instance-runner.js';
import { nodeSpec } from '../../actors/vrrp/specs-from-config.js';
import { loadConfigText } from '../../config/load.js';
import type { AddressManager, InterfaceAddress, LinkEvent } from '../../transport/address-manager.js';
import type { VrrpAdvertisement } from '../../protocol/vrrp-types.js';
import { sameData, SteadyShortcut } from '../../actors/steady-shortcut.js';
import { SimulatedProber, type SimFault, type SimServerState } from '../../sim/simulated-prober.js';
import { SimulatedBackend } from '../../sim/simulated-backend.js';
import { InProcessCheckerHost } from '../../actors/checks/checker-host.js';
import { HealthChecks } from '../../actors/lvs/health-checks.js';
import { virtualServersOf } from '../checkers/lvs-config.js';
import { chkTrackedConfig } from './chk-tracked-config.js';

const FUZZ_SEED = process.env['VIGIL_FUZZ_SEED'] === undefined ? {} : { seed: Number(process.env['VIGIL_FUZZ_SEED']) };

// ---------------------------------------------------------------------------------------------------------------
// VRRP

interface Advert {
  readonly priority: number;
  /** Below (.11) or above (.13) our own .12: the tie-break at equal priority. */
  readonly source: string;
  readonly intervalCs: number;
}

type Step =
  | { readonly kind: 'wait'; readonly ms: number }
  | { readonly kind: 'advert'; readonly advert: Advert }
  /** A master advertising steadily: `count` adverts, `periodMs` apart. */
  | { readonly kind: 'steady'; readonly advert: Advert; readonly count: number; readonly periodMs: number }
  | { readonly kind: 'track'; readonly up: boolean }
  | { readonly kind: 'sync'; readonly state: 'MASTER' | 'BACKUP' | 'FAULT' | 'CLEAR' }
  /** Our primary address changes (below or above the masters'). */
  | { readonly kind: 'readdress'; readonly address: string };

const arbAdvert: fc.Arbitrary<Advert> = fc.record({
  priority: fc.constantFrom(0, 1, 50, 99, 100, 101, 150, 200, 254, 255),
  source: fc.constantFrom('192.168.77.11', '192.168.77.13'),
  intervalCs: fc.constantFrom(100, 100, 100, 50, 200),
});

const arbStep: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 900, max: 1100 }), fc.integer({ min: 0, max: 12_000 })) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advert' as const), advert: arbAdvert }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('steady' as const),
      advert: arbAdvert,
      count: fc.integer({ min: 1, max: 40 }),
      periodMs: fc.constantFrom(1000, 1000, 999, 1001, 500, 2000, 3500, 3700),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('track' as const), up: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('sync' as const), state: fc.constantFrom('MASTER' as const, 'BACKUP' as const, 'FAULT' as const, 'CLEAR' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('readdress' as const), address: fc.constantFrom('192.168.77.12', '192.168.77.14', '192.168.77.10') }) },
);

interface Variant {
  readonly priority: number;
  readonly instance: string;
  readonly global: string;
}

/** Settings the streams run against (the script's weight 60 lifts the priority while it is up). */
const VARIANTS: readonly Variant[] = [
  { priority: 100, instance: '', global: '' },
  { priority: 100, instance: 'nopreempt', global: '' },
  { priority: 100, instance: 'preempt_delay 2', global: '' },
  { priority: 100, instance: 'version 3', global: '' },
  { priority: 100, instance: 'version 3\n  state MASTER', global: '' },
  { priority: 150, instance: '', global: '' },
  { priority: 100, instance: 'garp_master_refresh 3', global: 'vrrp_garp_interval 0.2' },
];

function config(variant: Variant): string {
  return `global_defs {
  ${variant.global}
}
${chkTrackedConfig(variant.priority, variant.instance, ['192.168.77.100/24', '192.168.77.101/24'])}`;
}

/** The host as the runner sees it: one interface whose primary address a step may change. */
class TestHost implements AddressManager {
  primary = '192.168.77.12';
  readonly linkEvents$ = new Subject<LinkEvent>();
  constructor(private readonly log: (line: string) => void) {}
  addAddress(a: InterfaceAddress): Promise<void> {
    this.log(`add ${a.address}`);
    return Promise.resolve();
  }
  removeAddress(a: InterfaceAddress): Promise<void> {
    this.log(`del ${a.address}`);
    return Promise.resolve();
  }
  primaryAddress(): string | undefined {
    return this.primary;
  }
  isUp(): boolean {
    return true;
  }
}

function playVrrp(variant: Variant, steps: readonly Step[], shortcut: boolean): { log: string[]; shortcuts: number } {
  const clock = new VirtualClock();
  const log: string[] = [];
  const note = (line: string): void => void log.push(`${clock.now()} ${line}`);
  const bus = new Bus();
  bus.messages$.subscribe((m) => note(JSON.stringify(m)));
  const host = new TestHost(note);
  const spec = nodeSpec(loadConfigText(config(variant), 'differential.conf').config).instances[0]!;
  const runner = new VrrpInstanceRunner(spec, {
    node: 'n',
    clock,
    bus,
    addresses: host,
    announcer: { announce: (name, addresses) => note(`announce ${name} ${addresses.map((a) => a.address).join(',')}`) },
    channel: {
      send: (destination, bytes) => note(`send ${destination} ${Buffer.from(bytes).toString('hex')}`),
    },
    steadyShortcut: shortcut,
  });
  const receive = (a: Advert): void => {
    const advertisement: VrrpAdvertisement = {
      version: spec.version,
      vrid: 7,
      priority: a.priority,
      intervalCs: a.intervalCs,
      family: 4,
      addresses: ['192.168.77.100', '192.168.77.101'],
      authType: 0,
      authPassword: '',
    };
    runner.receive({ bytes: new Uint8Array(), family: 4, source: a.source, destination: '224.0.0.18', ttl: 255, interface: 'eth0' }, advertisement);
  };
  runner.start();
  for (const step of steps) {
    switch (step.kind) {
      case 'wait':
        clock.runUntil(clock.now() + step.ms);
        break;
      case 'advert':
        receive(step.advert);
        break;
      case 'steady':
        for (let i = 0; i < step.count; i++) {
          receive(step.advert);
          clock.runUntil(clock.now() + step.periodMs);
        }
        break;
      case 'track':
        runner.track('script:chk', step.up);
        break;
      case 'sync':
        runner.sync(step.state);
        break;
      case 'readdress':
        host.primary = step.address;
        break;
    }
    note(`state ${runner.state} ${runner.effectivePriority} ${runner.masterAddress ?? '-'}`);
  }
  clock.runUntil(clock.now() + 15_000);
  note(`end ${runner.state} ${JSON.stringify(runner.counters)}`);
  runner.halt();
  return { log, shortcuts: runner.shortcuts };
}

test('VRRP: with the shortcut on or off, the same actions at the same virtual times, over random streams', () => {
  let shortcuts = 0;
  let runs = 0;
  for (const variant of VARIANTS) {
    fc.assert(
      fc.property(fc.array(arbStep, { minLength: 1, maxLength: 40 }), (steps) => {
        const on = playVrrp(variant, steps, true);
        const off = playVrrp(variant, steps, false);
        assert.equal(off.shortcuts, 0, 'switched off, every advertisement goes through the machine');
        assert.deepEqual(on.log, off.log, JSON.stringify(variant));
        shortcuts += on.shortcuts;
        runs++;
      }),
      { numRuns: 30, ...FUZZ_SEED },
    );
  }
  // The streams must exercise the shortcut, or the comparison proves nothing.
  assert.ok(shortcuts > runs * 5, `${shortcuts} shortcuts in ${runs} runs`);
});

test('VRRP: a steady backup takes the shortcut for almost every advertisement of its master', () => {
  const steps: Step[] = [{ kind: 'steady', advert: { priority: 200, source: '192.168.77.11', intervalCs: 100 }, count: 100, periodMs: 1000 }];
  const on = playVrrp(VARIANTS[0]!, steps, true);
  assert.ok(on.shortcuts >= 98, `${on.shortcuts} of 100`);
  assert.deepEqual(on.log, playVrrp(VARIANTS[0]!, steps, false).log);
});

test('the key is the whole event: plain data equal field by field, nothing less', () => {
  const advert = { type: 'ADVERTISEMENT', priority: 100, intervalCs: 100, source: '192.168.77.11', sourceIsHigher: false };
  assert.ok(sameData(advert, { ...advert }));
  assert.ok(!sameData(advert, { ...advert, sourceIsHigher: true }), 'a field the old key left out counts');
  assert.ok(!sameData(advert, { ...advert, extra: undefined }), 'a field more');
  const { sourceIsHigher: _, ...less } = advert;
  assert.ok(!sameData(advert, less), 'a field less');
  const probe = { type: 'PROBE_RESULT', ok: true, detail: 'x', weight: { kind: 'absolute', value: 3 } };
  assert.ok(sameData(probe, { ...probe, weight: { kind: 'absolute', value: 3 } }), 'nested values compared by value');
  assert.ok(!sameData(probe, { ...probe, weight: { kind: 'absolute', value: 4 } }));
  assert.ok(!sameData([1, 2], { 0: 1, 1: 2 }));
});

test('the helper gives a remembered answer only to an equal event in the snapshot it left', () => {
  type E = { type: string; [field: string]: unknown };
  let snapshot = { value: 'steady', context: { n: 1 } };
  let sent = 0;
  const shortcut = new SteadyShortcut<E, number>({ remember: () => true });
  const actor = {
    getSnapshot: () => snapshot,
    send: () => {
      sent++;
      shortcut.answered(7);
    },
  };
  const replayed: number[] = [];
  const deliver = (event: E): void => shortcut.deliver(actor, event, (answer) => replayed.push(answer) > 0);
  const first = { type: 'X', a: 1, w: { kind: 'absolute', value: 3 } };
  deliver(first);
  assert.deepEqual([sent, shortcut.hits], [1, 0], 'the first goes to the machine');
  deliver({ type: 'X', a: 1, w: { kind: 'absolute', value: 3 } });
  deliver({ a: 1, type: 'X', w: { value: 3, kind: 'absolute' } });
  assert.deepEqual([sent, shortcut.hits, replayed], [1, 2, [7, 7]], 'equal events, fields in any order, get the answer');
  deliver({ type: 'X', a: 1, w: { kind: 'absolute', value: 3 }, extra: undefined });
  assert.deepEqual([sent, shortcut.hits], [2, 2], 'a field more is another event');
  deliver({ type: 'X', a: 1 });
  assert.deepEqual([sent, shortcut.hits], [3, 2], 'a field less is another event');
  deliver({ type: 'X', a: 1 });
  assert.deepEqual([sent, shortcut.hits], [3, 3]);
  snapshot = { value: 'steady', context: { n: 1 } };
  deliver({ type: 'X', a: 1 });
  assert.deepEqual([sent, shortcut.hits], [4, 3], 'another snapshot: to the machine');
  const effectful = new SteadyShortcut<E, number>({ remember: () => true });
  const noisy = { getSnapshot: () => snapshot, send: () => (effectful.answered(7), effectful.effect()) };
  effectful.deliver(noisy, { type: 'X' }, () => true);
  effectful.deliver(noisy, { type: 'X' }, () => true);
  assert.equal(effectful.hits, 0, 'an answer with another effect is not remembered');
});

// ---------------------------------------------------------------------------------------------------------------
// Checkers

const SERVER_STATES: readonly SimServerState[] = [
  { mode: 'up', latencyMs: 2 },
  { mode: 'up', latencyMs: 40 },
  { mode: 'up', latencyMs: 2500 },
  { mode: 'silent' },
  { mode: 'refuse', latencyMs: 1 },
];
const MISC_STATES: readonly SimServerState[] = [
  { mode: 'up', latencyMs: 300, weight: { kind: 'absolute', value: 10 } },
  { mode: 'up', latencyMs: 700, weight: { kind: 'absolute', value: 10 } },
  { mode: 'up', latencyMs: 300, weight: { kind: 'absolute', value: 20 } },
  { mode: 'up', latencyMs: 100 },
  { mode: 'refuse', latencyMs: 50 },
];

const TARGETS = ['192.168.77.11', '192.168.77.12', 'misc:/bin/a'];

const arbFault: fc.Arbitrary<SimFault> = fc
  .record({ atMs: fc.integer({ min: 0, max: 90_000 }), target: fc.constantFrom(...TARGETS), pick: fc.integer({ min: 0, max: 4 }) })
  .map(({ atMs, target, pick }) => ({ atMs, target, state: (target.startsWith('misc:') ? MISC_STATES : SERVER_STATES)[pick]! }));

function playCheckers(faults: readonly SimFault[], suspendAt: readonly number[], shortcut: boolean): { log: string[]; shortcuts: number } {
  const clock = new VirtualClock();
  const random = new SeededRandom(5);
  const prober = new SimulatedProber(clock, { '192.168.77.11': SERVER_STATES[0]!, '192.168.77.12': SERVER_STATES[0]!, 'misc:/bin/a': MISC_STATES[0]! }, [...faults]);
  const host = new InProcessCheckerHost({ clock, random: random.fork('checkers'), prober, steadyShortcut: shortcut });
  const backend = new SimulatedBackend(clock);
  const health = new HealthChecks({ clock, host, backend, immediateApply: true });
  const log: string[] = [];
  health.events$.subscribe((e) => {
    if (e.kind !== 'lb_applied') log.push(`${e.at} ${JSON.stringify(e)}`);
  });
  // ha_suspend follows VI_1, the VRRP instance holding the virtual server's address.
  const resolved = virtualServersOf(
    [
      'vrrp_instance VI_1 {\ninterface eth0\nvirtual_router_id 51\nvirtual_ipaddress {\n192.168.77.100/24\n}\n}',
      'virtual_server 192.168.77.100 80 {',
      'protocol TCP\nlb_algo rr\ndelay_loop 2\nretry 2\ndelay_before_retry 1\nconnect_timeout 1.5\nwarmup 3\nha_suspend',
      'real_server 192.168.77.11 80 {\nTCP_CHECK {\n}\n}',
      'real_server 192.168.77.12 80 {\nTCP_CHECK {\n}\nMISC_CHECK {\nmisc_path /bin/a\nmisc_timeout 1\nmisc_dynamic\ndelay_loop 3\n}\n}',
      '}',
    ].join('\n'),
  );
  health.start(resolved);
  health.vrrpState('VI_1', 'MASTER');
  [...suspendAt].sort((a, b) => a - b).forEach((at, i) => clock.setTimeout(() => health.vrrpState('VI_1', i % 2 === 0 ? 'BACKUP' : 'MASTER'), at));
  clock.runUntil(120_000);
  for (const h of backend.history) if (h.changed) log.push(`${h.at} pool ${JSON.stringify(h.state)}`);
  return { log, shortcuts: host.shortcuts };
}

test('checkers: with the shortcut on or off, the same probes, reports and pools at the same times', () => {
  let shortcuts = 0;
  let runs = 0;
  fc.assert(
    fc.property(fc.array(arbFault, { maxLength: 25 }), fc.array(fc.integer({ min: 5000, max: 110_000 }), { maxLength: 4 }), (faults, suspendAt) => {
      const on = playCheckers(faults, suspendAt, true);
      const off = playCheckers(faults, suspendAt, false);
      assert.equal(off.shortcuts, 0);
      assert.deepEqual(on.log, off.log);
      shortcuts += on.shortcuts;
      runs++;
    }),
    { numRuns: 60, ...FUZZ_SEED },
  );
  assert.ok(shortcuts > runs * 10, `${shortcuts} shortcuts in ${runs} runs`);
});
