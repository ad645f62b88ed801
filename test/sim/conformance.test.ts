/**
 * RFC 5798 / RFC 3768 conformance in the simulator, with the exact virtual times the RFC implies
 * (advertisement interval 1 s, latency d = 1 ms unless said otherwise; skew for priority 100 is 609.375 ms,
 * for 90 648.437 ms as keepalived truncates to the microsecond).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from '../../sim/scenario.js';
import { runSimulation, type SimulationResult } from '../../sim/run.js';

interface NodeOptions {
  priority?: number;
  extra?: string;
  advert?: number;
  version?: 2 | 3;
  vips?: string;
}

function instance(o: NodeOptions = {}): string {
  return `vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    ${o.priority !== undefined ? `priority ${o.priority}` : ''}
    advert_int ${o.advert ?? 1}
    version ${o.version ?? 3}
    ${o.extra ?? ''}
    virtual_ipaddress {
      ${o.vips ?? '192.168.77.100/24'}
    }
  }`;
}

function scenario(nodes: Record<string, string>, events: unknown[] = [], duration = '40s', network: object = { latency: '1ms' }): string {
  const spec = {
    duration,
    network,
    nodes: Object.fromEntries(
      Object.entries(nodes).map(([name, config], i) => [name, { config, interfaces: { eth0: `192.168.77.${11 + i}/24` } }]),
    ),
    events,
  };
  return JSON.stringify(spec);
}

function run(text: string, seed = 1): SimulationResult {
  return runSimulation(parseScenario(text, 'conformance.json'), { seed });
}

function becameMaster(result: SimulationResult, node: string): number[] {
  return result.transitions.filter((t) => t.node === node && t.to === 'MASTER').map((t) => t.t_ms);
}

function assertInvariants(result: SimulationResult): void {
  for (const inv of result.invariants) assert.ok(inv.ok, `${inv.name}: ${inv.detail}`);
}

test('both start as backup: the 100 becomes master at 3 s + 609.375 ms, the 90 never', () => {
  const r = run(scenario({ lb1: instance({ priority: 100 }), lb2: instance({ priority: 90 }) }));
  assert.deepEqual(becameMaster(r, 'lb1'), [3609.375]);
  assert.deepEqual(becameMaster(r, 'lb2'), []);
  assertInvariants(r);
});

test('master crash: the 90 takes over at t_last_advert + d + 3 s + 648.437 ms', () => {
  // lb1 is master from 3609.375 and advertises every second; the last advertisement before the crash at 10.5 s
  // leaves at 9609.375 and arrives at 9610.375.
  const r = run(scenario({ lb1: instance({ priority: 100 }), lb2: instance({ priority: 90 }) }, [{ at: '10500ms', crash: 'lb1' }]));
  assert.deepEqual(becameMaster(r, 'lb2'), [9610.375 + 3648.437]);
  assertInvariants(r);
});

test('graceful stop: the 90 takes over at t + d + skew (648.437 ms)', () => {
  const r = run(scenario({ lb1: instance({ priority: 100 }), lb2: instance({ priority: 90 }) }, [{ at: '10s', stop: 'lb1' }]));
  assert.deepEqual(becameMaster(r, 'lb2'), [10_000 + 1 + 648.437]);
  const stopped = r.transitions.find((t) => t.node === 'lb1' && t.to === 'STOP');
  assert.equal(stopped?.t_ms, 10_000);
  assert.ok(r.vips.some((v) => v.node === 'lb1' && v.action === 'del' && v.t_ms === 10_000), 'lb1 releases the VIP on stop');
  assertInvariants(r);
});

test('equal priorities: both time out together, the lower address steps down on the first advertisement', () => {
  const r = run(scenario({ lb1: instance({ priority: 100 }), lb2: instance({ priority: 100 }) }));
  assert.deepEqual(becameMaster(r, 'lb1'), [3609.375]);
  assert.deepEqual(becameMaster(r, 'lb2'), [3609.375]);
  // lb1 (192.168.77.11) is lower than lb2 (.12): it yields when lb2's advertisement arrives, 1 ms later.
  const down = r.transitions.find((t) => t.node === 'lb1' && t.from === 'MASTER');
  assert.equal(down?.to, 'BACKUP');
  assert.equal(down?.t_ms, 3610.375);
  assert.equal(r.transitions.filter((t) => t.node === 'lb2' && t.from === 'MASTER').length, 0);
  assertInvariants(r);
});

test('the address owner (255) is master at once; the 100 stays backup', () => {
  const r = run(scenario({ lb1: instance({ priority: 255 }), lb2: instance({ priority: 100 }) }));
  assert.deepEqual(becameMaster(r, 'lb1'), [0]);
  assert.deepEqual(becameMaster(r, 'lb2'), []);
  assertInvariants(r);
});

test('preempt: a higher priority that starts later takes over after its Master_Down_Interval', () => {
  const r = run(scenario({ lb1: instance({ priority: 90 }), lb2: instance({ priority: 100 }) }, [{ at: '0s', stop: 'lb2' }, { at: '20s', start: 'lb2' }]));
  assert.deepEqual(becameMaster(r, 'lb1'), [3648.437]);
  assert.deepEqual(becameMaster(r, 'lb2'), [20_000 + 3609.375]);
  const yielded = r.transitions.find((t) => t.node === 'lb1' && t.from === 'MASTER');
  assert.equal(yielded?.t_ms, 20_000 + 3609.375 + 1);
  assertInvariants(r);
});

test('nopreempt: a higher priority that starts later stays backup', () => {
  const r = run(
    scenario({ lb1: instance({ priority: 90 }), lb2: instance({ priority: 100, extra: 'nopreempt' }) }, [
      { at: '0s', stop: 'lb2' },
      { at: '20s', start: 'lb2' },
    ]),
  );
  assert.deepEqual(becameMaster(r, 'lb1'), [3648.437]);
  assert.deepEqual(becameMaster(r, 'lb2'), []);
  assertInvariants(r);
});

test('preempt_delay: the higher priority tolerates the lower master for the delay, then preempts', () => {
  const r = run(
    scenario({ lb1: instance({ priority: 90 }), lb2: instance({ priority: 100, extra: 'preempt_delay 5' }) }, [
      { at: '0s', stop: 'lb2' },
      { at: '20s', start: 'lb2' },
    ]),
  );
  // lb1 advertises at 3648.437 + k s; lb2 first hears it at 20649.437 and holds until 25649.437. The
  // advertisement arriving at that same instant comes after the hold timer (scheduled first), so the last one
  // accepted arrived at 24649.437, and lb2 takes over a Master_Down_Interval (3609.375 ms) later.
  assert.deepEqual(becameMaster(r, 'lb2'), [24_649.437 + 3609.375]);
  assertInvariants(r);
});

test('v3 interval learning: a backup learns the master\'s 2 s interval and times out on it', () => {
  const r = run(
    scenario({ lb1: instance({ priority: 100, advert: 2 }), lb2: instance({ priority: 90, advert: 1 }) }, [{ at: '20500ms', crash: 'lb1' }]),
  );
  // lb2 (1 s) times out first, at 3648.437; lb1 discards its lower-priority advertisements and takes over when
  // its own Master_Down_Interval (2 s interval: 6000 + 1218.75 ms) runs out; adverts every 2 s from there.
  assert.deepEqual(becameMaster(r, 'lb1'), [7218.75]);
  // lb2 yields and learns 200 cs. The last advert before 20.5 s leaves at 19218.75; lb2's Master_Down_Interval is
  // now 6000 + 166 × 2e6 / 256 µs = 7296.875 ms.
  assert.deepEqual(becameMaster(r, 'lb2'), [3648.437, 19_218.75 + 1 + 7296.875]);
  assertInvariants(r);
});

test('v2: an advertisement interval different from ours is dropped and counted', () => {
  const r = run(scenario({ lb1: instance({ priority: 100, version: 2, advert: 2 }), lb2: instance({ priority: 90, version: 2, advert: 1 }) }, [], '20s'));
  assert.ok((r.stats.packets_dropped.interval ?? 0) > 0, 'interval drops counted');
  // lb2 never hears a valid master: it becomes master too (the misconfiguration keepalived also shows).
  assert.deepEqual(becameMaster(r, 'lb2'), [3648.437]);
});

test('v2 authentication mismatch: dropped as auth, both become master', () => {
  const auth = (pass: string): string => `authentication {\n auth_type PASS\n auth_pass ${pass}\n }`;
  const r = run(
    scenario({ lb1: instance({ priority: 100, version: 2, extra: auth('secret1') }), lb2: instance({ priority: 90, version: 2, extra: auth('other') }) }, [], '10s'),
  );
  assert.ok((r.stats.packets_dropped.auth ?? 0) > 0);
  assert.deepEqual(becameMaster(r, 'lb2'), [3648.437]);
});

test('a differing address list is only counted, never dropped (two masters do not appear)', () => {
  const r = run(
    scenario({ lb1: instance({ priority: 100 }), lb2: instance({ priority: 90, vips: '192.168.77.100/24\n192.168.77.101/24' }) }, [], '20s'),
  );
  assert.deepEqual(becameMaster(r, 'lb2'), []);
  assertInvariants(r);
});

test('interface down puts the master in FAULT and the backup takes over within the bound', () => {
  const r = run(
    scenario({ lb1: instance({ priority: 100 }), lb2: instance({ priority: 90 }) }, [
      { at: '10500ms', link: { node: 'lb1', interface: 'eth0', up: false } },
      { at: '30s', link: { node: 'lb1', interface: 'eth0', up: true } },
    ]),
  );
  const fault = r.transitions.find((t) => t.node === 'lb1' && t.to === 'FAULT');
  assert.equal(fault?.t_ms, 10_500);
  assert.deepEqual(becameMaster(r, 'lb2').slice(0, 1), [9610.375 + 3648.437]);
  // Link back: lb1 returns as backup and preempts after its Master_Down_Interval.
  assert.deepEqual(becameMaster(r, 'lb1'), [3609.375, 30_000 + 3609.375]);
  assertInvariants(r);
});

test('interface deleted and created again: FAULT, the backup takes over; the new interface is heard at once', () => {
  // nopreempt on lb1: back as a backup that hears lb2, it must stay BACKUP. A channel still bound to the deleted
  // interface would be deaf and take over after its Master_Down_Interval: a second master.
  const r = run(
    scenario({ lb1: instance({ priority: 100, extra: 'nopreempt' }), lb2: instance({ priority: 90 }) }, [
      { at: '10500ms', interface: { node: 'lb1', interface: 'eth0', present: false } },
      { at: '30s', interface: { node: 'lb1', interface: 'eth0', present: true } },
    ]),
  );
  const fault = r.transitions.find((t) => t.node === 'lb1' && t.to === 'FAULT');
  assert.equal(fault?.t_ms, 10_500);
  assert.deepEqual(becameMaster(r, 'lb2'), [9610.375 + 3648.437]);
  assert.deepEqual(becameMaster(r, 'lb1'), [3609.375]);
  const back = r.transitions.find((t) => t.node === 'lb1' && t.from === 'FAULT');
  assert.deepEqual([back?.t_ms, back?.to], [30_000, 'BACKUP']);
  assertInvariants(r);
});

test('sync group: a member in FAULT drives its sibling out of MASTER', () => {
  const group = (prio: number): string => `vrrp_sync_group G1 {
    group {
      VI_1
      VI_2
    }
  }
  ${instance({ priority: prio })}
  vrrp_instance VI_2 {
    state BACKUP
    interface eth1
    virtual_router_id 52
    priority ${prio}
    advert_int 1
    version 3
    virtual_ipaddress {
      192.168.78.100/24
    }
  }`;
  const text = JSON.stringify({
    duration: '30s',
    network: { latency: '1ms' },
    nodes: {
      lb1: { config: group(100), interfaces: { eth0: '192.168.77.11/24', eth1: '192.168.78.11/24' } },
      lb2: { config: group(90), interfaces: { eth0: '192.168.77.12/24', eth1: '192.168.78.12/24' } },
    },
    events: [{ at: '10500ms', link: { node: 'lb1', interface: 'eth1', up: false } }],
  });
  const r = run(text);
  const vi1Fault = r.transitions.find((t) => t.node === 'lb1' && t.instance === 'VI_1' && t.to === 'FAULT');
  assert.equal(vi1Fault?.t_ms, 10_500, 'VI_1 follows VI_2 into FAULT although its own interface is up');
  // VI_1 sent priority 0 on leaving MASTER, so lb2 takes VI_1 over after its skew; VI_2's link is down, so lb2
  // takes VI_2 over by timeout, and then drives VI_1 … both end MASTER on lb2.
  const lb2Masters = r.transitions.filter((t) => t.node === 'lb2' && t.to === 'MASTER').map((t) => [t.instance, t.t_ms]);
  assert.deepEqual(lb2Masters[0], ['VI_1', 10_500 + 1 + 648.437]);
  assert.ok(lb2Masters.some(([i]) => i === 'VI_2'));
  assertInvariants(r);
});

test('same seed, same output, byte for byte; another seed may differ under jitter', () => {
  const text = scenario(
    { lb1: instance({ priority: 100 }), lb2: instance({ priority: 90 }), lb3: instance({ priority: 80 }) },
    [
      { at: '10s', crash: 'lb1' },
      { at: '15s', loss: 0.3 },
      { at: '25s', loss: 0 },
      { at: '30s', restart: 'lb1' },
    ],
    '60s',
    { latency: '1ms', jitter: '3ms' },
  );
  const a = JSON.stringify(run(text, 7));
  const b = JSON.stringify(run(text, 7));
  assert.equal(a, b);
  const c = JSON.stringify(run(text, 8));
  assert.notEqual(a, c);
});

test('an advertisement for a VRID not configured on the interface is dropped and counted as vrid', () => {
  const other = instance({ priority: 90 }).replace('virtual_router_id 51', 'virtual_router_id 52');
  const r = run(scenario({ lb1: instance({ priority: 100 }), lb2: other }, [], '10s'));
  assert.ok((r.stats.packets_dropped.vrid ?? 0) > 0);
  // Two independent virtual routers: each is master of its own VRID.
  assert.deepEqual(becameMaster(r, 'lb1'), [3609.375]);
  assert.deepEqual(becameMaster(r, 'lb2'), [3648.437]);
});
