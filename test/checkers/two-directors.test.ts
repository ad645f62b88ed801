/**
 * Two directors in the simulator: VRRP (the same actors as the daemon, over a simulated LAN) decides which one
 * is MASTER; each runs health checks against the same simulated real servers and drives its own (simulated)
 * load balancer. Over random schedules of real-server failures and a director crash, the MASTER's pool is
 * always the set of healthy real servers, within the detection bounds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { LanSegment } from '../../sim/lan-segment.js';
import { SimHost } from '../../sim/sim-host.js';
import { loadVrrpConfig } from '../../sim/node-config-reader.js';
import { Bus } from '../../actors/bus.js';
import { VrrpNode } from '../../actors/vrrp/vrrp-node.js';
import { SimulatedProber, type SimServerState } from '../../sim/simulated-prober.js';
import { SimulatedBackend } from '../../sim/simulated-backend.js';
import { InProcessCheckerHost } from '../../actors/checks/checker-host.js';
import { HealthChecks } from '../../actors/lvs/health-checks.js';
import type { ResolvedVirtualServer } from '../../actors/checks/resolve-checkers.js';
import { virtualServersOf } from './lvs-config.js';

const examples = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples');
const REAL = ['192.168.77.21', '192.168.77.22', '192.168.77.23', '192.168.77.24'];
const KEY = '192.168.77.100:80';

/** A director's keepalived.conf (its VI_1 holds 192.168.77.100) with the virtual server, resolved. */
function virtualServers(file: string, haSuspend: boolean): ResolvedVirtualServer[] {
  const realServers = REAL.map((address) => `    real_server ${address} 80 {\n        TCP_CHECK {\n        }\n    }\n`).join('');
  const vs = `virtual_server 192.168.77.100 80 {
    protocol TCP
    lb_algo rr
    lb_kind NAT
    delay_loop 3
    retry 1
    delay_before_retry 1
    connect_timeout 2
    warmup 3
${haSuspend ? '    ha_suspend\n' : ''}${realServers}}
`;
  return virtualServersOf(`${readFileSync(file, 'utf8')}\n${vs}`);
}

function run(seed: number, haSuspend: boolean) {
  const clock = new VirtualClock();
  const random = new SeededRandom(seed);
  const bus = new Bus();
  const segment = new LanSegment('eth0', clock, random.fork('lan'), { latencyMs: 1, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 });
  const up: SimServerState = { mode: 'up', latencyMs: 1 };
  const down: SimServerState = { mode: 'silent' };

  // Real servers fail and recover at random; the truth is kept for the check.
  const faults = random.fork('faults');
  const truth = new Map<string, { at: number; up: boolean }[]>();
  const schedule: { atMs: number; target: string; state: SimServerState }[] = [];
  for (const host of REAL) {
    const changes = [{ at: 0, up: true }];
    let t = 0;
    for (;;) {
      t += 4000 + Math.floor(faults.next() * 40_000);
      if (t > 240_000) break;
      const isUp = !changes[changes.length - 1]!.up;
      changes.push({ at: t, up: isUp });
      schedule.push({ atMs: t, target: host, state: isUp ? up : down });
    }
    truth.set(host, changes);
  }
  const prober = new SimulatedProber(clock, Object.fromEntries(REAL.map((h) => [h, up])), schedule);

  const directors = ['lb1', 'lb2'].map((name, index) => {
    const host = new SimHost(name, index);
    host.addInterface('eth0', segment, [{ address: `192.168.77.${11 + index}`, prefix: 24, family: 4 }]);
    const file = join(examples, `${name}.conf`);
    const spec = loadVrrpConfig(readFileSync(file, 'utf8'), file, name);
    const node = new VrrpNode(name, spec, { clock, link: host, addresses: host, announcer: host }, bus);
    const backend = new SimulatedBackend(clock);
    const checkers = new InProcessCheckerHost({ clock, random: random.fork(`checkers:${name}`), prober });
    const health = new HealthChecks({ clock, host: checkers, backend, immediateApply: true });
    return { name, file, host, node, backend, health, state: 'INIT' as string, masterSince: 0 };
  });
  bus.messages$.subscribe((m) => {
    if (m.kind !== 'transition') return;
    const d = directors.find((x) => x.name === m.node)!;
    d.state = m.to;
    if (m.to === 'MASTER') d.masterSince = m.at;
    d.health.vrrpState(m.instance, m.to);
  });
  for (const d of directors) {
    d.health.start(virtualServers(d.file, haSuspend));
    d.node.start();
  }
  // lb1 (priority 150) crashes at 100 s and comes back at 160 s.
  clock.setTimeout(() => {
    directors[0]!.node.halt();
    directors[0]!.host.crash();
    directors[0]!.state = 'CRASHED';
  }, 100_000);
  clock.setTimeout(() => {
    directors[0]!.host.restart();
    directors[0]!.node = new VrrpNode('lb1', loadVrrpConfig(readFileSync(join(examples, 'lb1.conf'), 'utf8'), 'lb1.conf', 'lb1'), {
      clock,
      link: directors[0]!.host,
      addresses: directors[0]!.host,
      announcer: directors[0]!.host,
    }, bus);
    directors[0]!.node.start();
  }, 160_000);
  return { clock, directors, truth };
}

// delay_loop 3, retry 1, dbr 1, timeout 2: a silent server is out within 3 + 2 × 2 + 1 = 8 s (+ probe latency),
// an answering one is in within 3 + 2 = 5 s.
const DOWN_BOUND = 8_100;
const UP_BOUND = 5_100;

for (const haSuspend of [false, true]) {
  test(`two directors${haSuspend ? ' with ha_suspend' : ''}: the MASTER's pool is the healthy set within the detection bounds`, () => {
    let checked = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const { clock, directors, truth } = run(seed, haSuspend);
      for (let at = 500; at <= 240_000; at += 250) {
        clock.runUntil(at);
        const masters = directors.filter((d) => d.state === 'MASTER');
        if (masters.length !== 1) continue; // during an election
        const master = masters[0]!;
        // With ha_suspend a new MASTER's checkers resume only now: its knowledge counts from then.
        const since = haSuspend ? master.masterSince : 0;
        const pool = new Set(master.backend.pool(KEY));
        for (const [host, changes] of truth) {
          const last = changes.filter((c) => c.at <= at).pop()!;
          const steadyFor = at - Math.max(last.at, since);
          const inPool = pool.has(`${host}:80`);
          // The first probe comes 1 s + warmup (≤ 3 s) after start.
          if (last.up && steadyFor > UP_BOUND + 4000 && !inPool) assert.fail(`seed ${seed} t=${at}: ${host} up since ${last.at} but not in ${master.name}'s pool`);
          if (!last.up && steadyFor > DOWN_BOUND + 4000 && inPool) assert.fail(`seed ${seed} t=${at}: ${host} down since ${last.at} but in ${master.name}'s pool`);
          checked++;
        }
      }
      // The crash made lb2 MASTER at some point, and lb1 took over again after its restart.
      assert.ok(directors[1]!.masterSince > 100_000, `seed ${seed}: lb2 never became MASTER`);
      assert.equal(directors[0]!.state, 'MASTER');
    }
    assert.ok(checked > 10_000);
  });
}
