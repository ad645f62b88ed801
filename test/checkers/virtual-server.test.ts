/**
 * Real servers and virtual servers on the simulated backend and the virtual clock: removal and return at exact
 * times, inhibit_on_failure, quorum with hysteresis, sorry server (and sorry_server_inhibit), alpha, notify
 * scripts, misc_dynamic weights, ha_suspend and omega.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResolvedVirtualServer } from '../../actors/checks/resolve-checkers.js';
import type { SimServerState } from '../../sim/simulated-prober.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { simWorld } from './sim-world.js';
import { virtualServersOf } from './lvs-config.js';

const TCP = 'TCP_CHECK {\n}';
const up: SimServerState = { mode: 'up', latencyMs: 0 };
const silent: SimServerState = { mode: 'silent' };
const refuse: SimServerState = { mode: 'refuse', latencyMs: 0 };

/** A real_server block on 192.168.77.(10 + n):80; its lines default to one TCP_CHECK. */
const rs = (n: number, ...body: string[]): string => `real_server 192.168.77.${10 + n} 80 {\n${(body.length > 0 ? body : [TCP]).join('\n')}\n}`;

/**
 * virtual_server 192.168.77.100 80 (TCP, rr, NAT, delay_loop 6, retry 2, delay_before_retry 3, connect_timeout 5,
 * warmup 0), resolved as the daemon resolves it; `extra` lines come after those and win, `before` goes ahead of
 * the block.
 */
function vs(extra: readonly string[] = [], servers = [rs(1), rs(2), rs(3)], before = ''): ResolvedVirtualServer[] {
  return virtualServersOf(
    `${before}\nvirtual_server 192.168.77.100 80 {\nprotocol TCP\nlb_algo rr\nlb_kind NAT\ndelay_loop 6\nretry 2\ndelay_before_retry 3\nconnect_timeout 5\nwarmup 0\n${extra.join('\n')}\n${servers.join('\n')}\n}\n`,
  );
}

/** The VRRP instance whose address is the virtual server's (ha_suspend follows it). */
const VI_1 = 'vrrp_instance VI_1 {\ninterface eth0\nvirtual_router_id 51\nvirtual_ipaddress {\n192.168.77.100/24\n}\n}';

const KEY = '192.168.77.100:80';
const A = '192.168.77.11:80';
const B = '192.168.77.12:80';
const C = '192.168.77.13:80';
const allUp = { '192.168.77.11': up, '192.168.77.12': up, '192.168.77.13': up };

test('a silent real server leaves the pool exactly when its checker declares it DOWN, and returns on the first success', () => {
  const w = simWorld(vs(), allUp, [
    { atMs: 20_000, target: '192.168.77.12', state: silent },
    { atMs: 60_000, target: '192.168.77.12', state: up },
  ]);
  w.clock.runUntil(80_000);
  // Probes at 1, 7, 13, 19 s; 25 s gets no answer (timeout 30 s), retries at 33 s and 41 s: DOWN at 46 s
  // = 25 + 3 × connect_timeout + 2 × delay_before_retry. Then 52 s (timeout 57 s), 63 s answers: UP.
  assert.deepEqual(w.poolChanges(KEY), [
    [0, [A, B, C]],
    [46_000, [A, C]],
    [63_000, [A, B, C]],
  ]);
  assert.deepEqual(w.notifications(), [`46000 ${B} DOWN`, `63000 ${B} UP`]);
});

test('inhibit_on_failure keeps a failed server with weight 0; notify scripts are named', () => {
  const w = simWorld(vs([], [rs(1, 'inhibit_on_failure', 'notify_down /bin/down.sh', 'notify_up /bin/up.sh', 'weight 3', TCP), rs(2)]), allUp, [
    { atMs: 10_000, target: '192.168.77.11', state: refuse },
    { atMs: 30_000, target: '192.168.77.11', state: up },
  ]);
  w.clock.runUntil(12_000);
  assert.deepEqual(w.weights(KEY), { [A]: 3, [B]: 1 });
  w.clock.runUntil(25_000);
  // Refusals: 13 s (retry), 16 s (retry), 19 s → DOWN.
  assert.deepEqual(w.weights(KEY), { [A]: 0, [B]: 1 });
  assert.deepEqual(w.pool(KEY), [B]);
  w.clock.runUntil(40_000);
  assert.deepEqual(w.weights(KEY), { [A]: 3, [B]: 1 });
  assert.deepEqual(w.notifications(), [`19000 ${A} DOWN /bin/down.sh`, `31000 ${A} UP /bin/up.sh`]);
});

test('quorum with hysteresis: lost below quorum − hysteresis (or at 0), regained at quorum + hysteresis', () => {
  // Weights 1 each; quorum 2, hysteresis 1: up at start (3 ≥ 3), lost only at 0, regained at 3.
  const w = simWorld(vs(['quorum 2', 'hysteresis 1', 'quorum_up qup', 'quorum_down qdown', 'retry 0']), allUp, [
    { atMs: 10_000, target: '192.168.77.11', state: refuse },
    { atMs: 16_000, target: '192.168.77.12', state: refuse },
    { atMs: 22_000, target: '192.168.77.13', state: refuse },
    { atMs: 28_000, target: '192.168.77.11', state: up },
    { atMs: 34_000, target: '192.168.77.12', state: up },
    { atMs: 40_000, target: '192.168.77.13', state: up },
  ]);
  w.clock.runUntil(50_000);
  assert.deepEqual(w.notifications(), [
    `13000 ${A} DOWN`,
    `19000 ${B} DOWN`,
    `25000 ${C} DOWN`,
    '25000 quorum DOWN qdown',
    `31000 ${A} UP`,
    `37000 ${B} UP`,
    `43000 ${C} UP`,
    '43000 quorum UP qup',
  ]);
});

test('an SNMP weight set (realServerWeight): the pool and the quorum follow at once, a failed server keeps it, a reload takes the configured ones', () => {
  const w = simWorld(vs(['quorum 4', 'quorum_up qup', 'quorum_down qdown', 'retry 0'], [rs(1, 'weight 3', TCP), rs(2, 'weight 2', TCP)]), allUp, [
    { atMs: 10_000, target: '192.168.77.12', state: refuse },
    { atMs: 20_000, target: '192.168.77.12', state: up },
  ]);
  const runner = w.health.find(KEY)!;
  w.clock.runUntil(5000);
  assert.deepEqual(w.weights(KEY), { [A]: 3, [B]: 2 });
  // 1 + 2 < quorum 4: lost at once (keepalived update_svr_wgt with update_quorum).
  assert.equal(runner.setWeight(A, 1), true);
  w.clock.runUntil(6000);
  assert.deepEqual(w.weights(KEY), { [A]: 1, [B]: 2 });
  assert.equal(runner.setWeight(A, 6), true);
  w.clock.runUntil(14_000);
  // B failed at 13 s; its new weight waits for it to come back, and its row shows it meanwhile.
  runner.setWeight(B, 5);
  w.clock.runUntil(15_000);
  assert.deepEqual(w.weights(KEY), { [A]: 6 });
  assert.deepEqual(runner.context.members[B], { alive: false, weight: 5 });
  w.clock.runUntil(26_000);
  assert.deepEqual(w.weights(KEY), { [A]: 6, [B]: 5 });
  runner.resetWeights();
  w.clock.runUntil(27_000);
  assert.deepEqual(w.weights(KEY), { [A]: 3, [B]: 2 });
  assert.equal(runner.setWeight('192.168.77.19:80', 4), false, 'no such real server');
  assert.deepEqual(w.notifications(), ['5000 quorum DOWN qdown', '6000 quorum UP qup', `13000 ${B} DOWN`, `25000 ${B} UP`]);
});

test('sorry server: takes over the whole pool when the quorum is lost (alive servers too), leaves when it returns', () => {
  const w = simWorld(
    vs(['quorum 2', 'retry 0', 'sorry_server 192.168.77.99 8080']),
    allUp,
    [
      { atMs: 10_000, target: '192.168.77.11', state: refuse },
      { atMs: 16_000, target: '192.168.77.12', state: refuse },
      { atMs: 22_000, target: '192.168.77.12', state: up },
    ],
  );
  w.clock.runUntil(40_000);
  assert.deepEqual(w.poolChanges(KEY), [
    [0, [A, B, C]],
    [13_000, [B, C]],
    // Live weight 1 < quorum 2: only the sorry server, although C is alive.
    [19_000, ['192.168.77.99:8080']],
    [25_000, [B, C]],
  ]);
});

test('sorry_server_inhibit keeps the unused sorry server at weight 0; inhibited servers stay at 0 while it serves', () => {
  const w = simWorld(
    vs(['quorum 1', 'retry 0', 'sorry_server 192.168.77.99', 'sorry_server_inhibit'], [rs(1, 'inhibit_on_failure', TCP)]),
    { '192.168.77.11': up },
    [{ atMs: 10_000, target: '192.168.77.11', state: refuse }],
  );
  w.clock.runUntil(5000);
  assert.deepEqual(w.weights(KEY), { [A]: 1, '192.168.77.99:80': 0 });
  w.clock.runUntil(20_000);
  assert.deepEqual(w.weights(KEY), { [A]: 0 });
  assert.deepEqual(w.pool(KEY), ['192.168.77.99:80']);
});

test('alpha: real servers enter the pool only after a success; a dead one at start never does', () => {
  const w = simWorld(vs(['alpha']), { '192.168.77.11': up, '192.168.77.12': up, '192.168.77.13': silent });
  assert.deepEqual(w.pool(KEY), []);
  w.clock.runUntil(20_000);
  // Both successes at 1 s reach the load balancer in one apply (changes at one instant are coalesced).
  assert.deepEqual(w.poolChanges(KEY), [
    [0, []],
    [1000, [A, B]],
  ]);
  // keepalived notifies DOWN for an alpha checker whose first check fails (at the 5 s timeout).
  // Quorum starts lost (no notification without a sorry server) and is gained with the first live server.
  assert.deepEqual(w.notifications(), [`1000 ${A} UP`, '1000 quorum UP', `1000 ${B} UP`, `6000 ${C} DOWN`]);
});

test('a real server is up only when all its checkers are', () => {
  const both = rs(1, TCP, 'HTTP_GET {\nurl {\npath /\n}\nconnect_port 8080\n}');
  const w = simWorld(vs(['retry 0'], [both, rs(2)]), { '192.168.77.11:80': up, '192.168.77.11:8080': up, '192.168.77.12': up }, [
    { atMs: 10_000, target: '192.168.77.11:8080', state: refuse },
    { atMs: 30_000, target: '192.168.77.11:8080', state: up },
  ]);
  w.clock.runUntil(40_000);
  assert.deepEqual(w.poolChanges(KEY), [
    [0, [A, B]],
    [13_000, [B]],
    // The HTTP_GET answers again at 31 s; without fast_recovery keepalived checks its url once more, delay_loop
    // later, before it is UP (test/checkers/fast-recovery.test.ts).
    [37_000, [A, B]],
  ]);
});

test('misc_dynamic: the exit status sets the weight (status − 2), and the quorum counts it', () => {
  const misc = 'MISC_CHECK {\nmisc_path /usr/local/bin/load-weight\nmisc_dynamic\n}';
  const w = simWorld(vs(['quorum 5', 'quorum_up qup'], [rs(1, misc)]), {
    'misc:/usr/local/bin/load-weight': { mode: 'up', latencyMs: 0, weight: { kind: 'absolute', value: 10 } },
  });
  // Weight 1 < quorum 5 at start: down; the first run sets weight 10 and the quorum is gained.
  w.clock.runUntil(2000);
  assert.deepEqual(w.weights(KEY), { [A]: 10 });
  assert.deepEqual(w.notifications(), ['1000 quorum UP qup']);
});

test('ha_suspend: checkers do not probe until the VRRP instance is MASTER, and pause again when it is not', () => {
  const w = simWorld(vs(['ha_suspend'], undefined, VI_1), allUp);
  w.clock.runUntil(20_000);
  assert.equal([...w.prober.probes.values()].reduce((a, b) => a + b, 0), 0);
  w.health.vrrpState('VI_1', 'MASTER');
  w.clock.runUntil(32_000);
  // Due times pass at 1, 7, 13, 19 s while suspended; the next is at 25 s (and 31 s).
  assert.equal(w.prober.probes.get('192.168.77.11:80'), 2);
  w.health.vrrpState('VI_1', 'BACKUP');
  w.clock.runUntil(60_000);
  assert.equal(w.prober.probes.get('192.168.77.11:80'), 2);
  const suspends = w.events.flatMap((e) => (e.kind === 'suspend' ? [`${e.at} ${e.suspended}`] : []));
  assert.deepEqual(suspends, ['0 true', '20000 false', '32000 true']);
});

test('omega: shutdown runs the down notifications of live servers and of the quorum; the rules are cleared; without omega only the SNMP ones', async () => {
  const w = simWorld(vs(['omega', 'quorum_down qdown'], [rs(1, 'notify_down down', TCP), rs(2)]), allUp);
  w.clock.runUntil(5000);
  await w.health.stop();
  assert.deepEqual(w.notifications(), [`5000 ${A} DOWN down`, `5000 ${B} DOWN`, '5000 quorum DOWN qdown']);
  assert.deepEqual(w.backend.current.services, []);

  const quiet = simWorld(vs(['quorum_down qdown']), allUp);
  quiet.clock.runUntil(5000);
  await quiet.health.stop();
  assert.deepEqual(quiet.notifications(), []);
  // No script without omega, but keepalived's SNMP notifications still go: each live server, then the quorum.
  const stopped = (w: typeof quiet) => w.events.flatMap((e) => (e.kind === 'stopped' ? [`${e.at} ${e.rs ?? 'quorum'}`] : []));
  assert.deepEqual(stopped(quiet), [`5000 ${A}`, `5000 ${B}`, `5000 ${C}`, '5000 quorum']);
  assert.deepEqual(stopped(w), [], 'omega: the notifications themselves');
  // A failed server is not alive to leave.
  const failed = simWorld(vs(['retry 0']), { ...allUp, '192.168.77.12': refuse });
  failed.clock.runUntil(5000);
  await failed.health.stop();
  assert.deepEqual(stopped(failed), [`5000 ${A}`, `5000 ${C}`, '5000 quorum']);
});

test('virtual_server_group: every address of a range and every fwmark gets the same pool', () => {
  const group = 'virtual_server_group web {\n192.168.77.100-102 80\nfwmark 7\n}\n';
  const text = `${group}virtual_server group web {\nprotocol TCP\nlb_algo rr\nlb_kind NAT\ndelay_loop 6\nretry 0\ndelay_before_retry 3\nconnect_timeout 5\nwarmup 0\n${[rs(1), rs(2), rs(3)].join('\n')}\n}\n`;
  const w = simWorld(
    virtualServersOf(text),
    allUp,
    [{ atMs: 10_000, target: '192.168.77.11', state: refuse }],
  );
  w.clock.runUntil(20_000);
  const keys = w.backend.current.services.map((s) => s.key);
  assert.deepEqual(keys, ['group web#192.168.77.100:80', 'group web#192.168.77.101:80', 'group web#192.168.77.102:80', 'group web#FWM 7']);
  for (const key of keys) assert.deepEqual(w.pool(key), [B, C]);
});

test('over random fault schedules, the pool is the set of healthy servers within the detection bounds', () => {
  // delay_loop 6, retry 2, dbr 3, timeout 5: a server silent for longer than 6 + 3×5 + 2×3 = 27 s is out; one
  // answering for longer than 6 + 5 = 11 s is in.
  const DOWN_BOUND = 27_000;
  const UP_BOUND = 11_000;
  for (let seed = 1; seed <= 20; seed++) {
    const random = new SeededRandom(seed);
    const hosts = ['192.168.77.11', '192.168.77.12', '192.168.77.13', '192.168.77.14'];
    const schedule: { atMs: number; target: string; state: SimServerState }[] = [];
    const truth = new Map<string, { atMs: number; up: boolean }[]>();
    for (const host of hosts) {
      const changes = [{ atMs: 0, up: true }];
      let t = 0;
      let isUp = true;
      for (;;) {
        t += 5000 + Math.floor(random.next() * 60_000);
        if (t >= 400_000) break;
        isUp = !isUp;
        changes.push({ atMs: t, up: isUp });
        schedule.push({ atMs: t, target: host, state: isUp ? up : random.next() < 0.5 ? silent : refuse });
      }
      truth.set(host, changes);
    }
    const w = simWorld(vs(['warmup 6'], [rs(1), rs(2), rs(3), rs(4)]), Object.fromEntries(hosts.map((h) => [h, up])), schedule, { seed });
    for (let at = 1000; at <= 400_000; at += 500) {
      w.clock.runUntil(at);
      const pool = new Set(w.pool(KEY));
      for (const host of hosts) {
        const changes = truth.get(host)!;
        const last = changes.filter((c) => c.atMs <= at).pop()!;
        const steadyFor = at - last.atMs;
        const inPool = pool.has(`${host}:80`);
        if (last.up && steadyFor > UP_BOUND + 6000 && last.atMs > 0) assert.ok(inPool, `seed ${seed}: ${host} up since ${last.atMs}, missing at ${at}`);
        if (!last.up && steadyFor > DOWN_BOUND) assert.ok(!inPool, `seed ${seed}: ${host} down since ${last.atMs}, still in at ${at}`);
      }
    }
  }
});

test('scale: 3,000 real servers failing at the same instant reach the load balancer in one apply', () => {
  const addresses = Array.from({ length: 3000 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
  const w = simWorld(
    vs(['retry 0'], addresses.map((a) => `real_server ${a} 80 {\n${TCP}\n}`)),
    Object.fromEntries(addresses.map((a) => [a, up])),
    addresses.map((a) => ({ atMs: 10_000, target: a, state: refuse })),
  );
  w.clock.runUntil(9000);
  const before = w.health.lb.applies;
  w.clock.runUntil(14_000);
  assert.equal(w.pool(KEY).length, 0);
  assert.equal(w.health.lb.applies - before, 1);
  // Every failure at 13 s, removed at 13 s.
  assert.deepEqual(w.poolChanges(KEY).map(([at, pool]) => [at, pool.length]), [
    [0, 3000],
    [13_000, 0],
  ]);
});

test('determinism: the same seed gives the same load-balancer history and notifications; another seed differs', () => {
  const runOnce = (seed: number) => {
    const w = simWorld(vs(['warmup 6']), allUp, [
      { atMs: 20_000, target: '192.168.77.12', state: silent },
      { atMs: 45_000, target: '192.168.77.12', state: up },
    ], { seed });
    w.clock.runUntil(90_000);
    return JSON.stringify({ history: w.backend.history, notes: w.notifications() });
  };
  assert.equal(runOnce(7), runOnce(7));
  assert.notEqual(runOnce(7), runOnce(8), 'warmup draws depend on the seed');
});
