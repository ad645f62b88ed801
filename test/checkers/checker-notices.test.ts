/**
 * What the checker side tells the node's bus (CheckerScripts.tell: the SNMP notifications of
 * observe/snmp/check-traps.ts), through the daemon's checker side on the virtual clock: a real server going down
 * and its quorum with the live count after each change; at stop, each live server then the quorum, counted down
 * (keepalived sends them whatever omega says; with lvs_flush_on_stop only the quorum's); and realServerWeight's
 * set by position, with keepalived's log line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { SimulatedProber, type SimServerState } from '../../sim/simulated-prober.js';
import { SimulatedBackend } from '../../sim/simulated-backend.js';
import { SimulatedProcessRunner } from '../../sim/simulated-process-runner.js';
import { InProcessCheckerHost } from '../../actors/checks/checker-host.js';
import { NodeChecks, type CheckerNotice } from '../../actors/lvs/node-checks.js';
import { ScriptRunner } from '../../actors/scripts/script-runner.js';
import type { NodeEnvironment } from '../../actors/environment.js';
import { loadConfigText } from '../../config/load.js';

const up: SimServerState = { mode: 'up', latencyMs: 0 };
const refuse: SimServerState = { mode: 'refuse', latencyMs: 0 };
const [A, B, C] = ['192.168.77.11:80', '192.168.77.12:80', '192.168.77.13:80'];

function run(globals: string, vsLines: string) {
  const config = loadConfigText(
    `global_defs {\n${globals}\n}\nvirtual_server 192.168.77.100 80 {\nprotocol TCP\nlb_algo wrr\nlb_kind NAT\ndelay_loop 1\nquorum 3\n${vsLines}\n` +
      [1, 2, 3].map((n) => `real_server 192.168.77.${10 + n} 80 {\nweight ${n}\nTCP_CHECK {\nretry 0\n}\n}`).join('\n') +
      '\n}\n',
    '/cfg/keepalived.conf',
  ).config;
  const clock = new VirtualClock();
  const logs: string[] = [];
  const env = { clock, log: { debug: () => {}, info: (m: string) => logs.push(m), warn: () => {}, error: () => {} } } as unknown as NodeEnvironment;
  const prober = new SimulatedProber(clock, { '192.168.77.11': up, '192.168.77.12': up, '192.168.77.13': up }, [{ atMs: 3000, target: '192.168.77.13', state: refuse }]);
  const host = new InProcessCheckerHost({ clock, random: new SeededRandom(1).fork('checkers'), prober });
  const told: string[] = [];
  const tell = (n: CheckerNotice): void => {
    told.push(`${n.kind === 'real_server' ? n.rs : 'quorum'} ${n.state}${n.stopping ? ' stopping' : ''} up=${n.realServersUp}`);
  };
  const backend = new SimulatedBackend(clock);
  const checks = new NodeChecks(env, config, { host, backend, immediateApply: true });
  void checks.start(new Set(), { runner: new ScriptRunner(new SimulatedProcessRunner(clock, () => {}), { info: () => {}, warn: () => {} }), tell });
  return { clock, checks, told, logs, backend };
}

test('a real server going down and the quorum lost, with the live count after each; at stop every live server, then the quorum', async () => {
  const w = run('', '');
  w.clock.runUntil(5000);
  // C (weight 3) refused from 3 s: 1 + 2 = 3 still meets quorum 3; then weight 0 for A loses it.
  assert.deepEqual(w.told, [`${C} DOWN up=2`]);
  assert.deepEqual(w.checks.realServerAt(0, 0), { runner: w.checks.virtualServers[0], key: A, weight: 1, alive: true });
  assert.equal(w.checks.realServerAt(0, 3), undefined);
  assert.equal(w.checks.realServerAt(1, 0), undefined);
  assert.equal(w.checks.setRealServerWeight(0, 0, 0), true);
  assert.equal(w.checks.setRealServerWeight(0, 5, 1), false);
  w.clock.runUntil(6000);
  assert.deepEqual(w.told.slice(1), ['quorum DOWN up=2']);
  assert.ok(w.logs.includes(`Changing weight from 1 to 0 for active service [${A}] of VS [192.168.77.100:80]`), w.logs.join('\n'));
  assert.equal(w.checks.realServerAt(0, 0)?.weight, 0);
  w.checks.setRealServerWeight(0, 0, 4);
  w.clock.runUntil(7000);
  assert.deepEqual(w.told.slice(2), ['quorum UP up=2']);
  // A reload that keeps the checker side: the file's weight again, and the quorum judged with it.
  w.checks.resetWeights();
  w.clock.runUntil(8000);
  assert.equal(w.checks.realServerAt(0, 0)?.weight, 1);
  assert.deepEqual(w.told.slice(3), []);
  const stopped = w.checks.stop(true);
  w.clock.runUntil(9000);
  await stopped;
  assert.deepEqual(w.told.slice(3), [`${A} DOWN stopping up=1`, `${B} DOWN stopping up=0`, 'quorum DOWN stopping up=0']);
});

test('omega: the same notices at stop, from the scripts\' notifications; lvs_flush_on_stop: only the quorum\'s', async () => {
  const omega = run('', 'omega');
  omega.clock.runUntil(5000);
  const stopping = omega.checks.stop(true);
  omega.clock.runUntil(6000);
  await stopping;
  assert.deepEqual(omega.told, [`${C} DOWN up=2`, `${A} DOWN stopping up=1`, `${B} DOWN stopping up=0`, 'quorum DOWN stopping up=0']);

  const flush = run('lvs_flush_on_stop', '');
  flush.clock.runUntil(5000);
  const flushing = flush.checks.stop(true);
  flush.clock.runUntil(6000);
  await flushing;
  assert.deepEqual(flush.told, [`${C} DOWN up=2`, 'quorum DOWN stopping up=2']);
});
