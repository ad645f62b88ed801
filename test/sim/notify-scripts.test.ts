/**
 * Notify scripts in the simulator (the node assembly the daemon runs), their order and their virtual times: at a
 * transition notify_<state> comes before `notify`; after a partition heals, the master that hears the lower priority
 * of the other master runs notify_master_rx_lower_pri at that very advertisement, and the other steps down; a
 * graceful stop runs notify_stop and `notify … STOP`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from '../../sim/scenario.js';
import { runSimulation } from '../../sim/run.js';
import { pairInstance, pairScenario } from './pair-scenario.js';

const CONFIG = pairInstance({
  after: `    notify_master /etc/vigil/master.sh
    notify_backup /etc/vigil/backup.sh
    notify_stop /etc/vigil/stop.sh
    notify /etc/vigil/notify.sh
    notify_master_rx_lower_pri "/etc/vigil/lower.sh restore"
`,
});

const scenario = (events: unknown[]): string => pairScenario(CONFIG, events, '40s');

test('after a partition heals, the higher master runs notify_master_rx_lower_pri when it hears the lower one, which steps down', () => {
  // lb1 advertises at x.414 s (master since 3.414 s), lb2 in the partition at x.024 s (since 13.024 s): healed at
  // 20.5 s, lb2's advertisement reaches lb1 first.
  const result = runSimulation(parseScenario(scenario([{ at: '10s', partition: [['lb1'], ['lb2']] }, { at: '20.5s', heal: true }, { at: '30s', stop: 'lb1' }]), 'notify.json'), { seed: 1 });
  const runs = result.scripts.map((r) => `${r.t_ms} ${r.node} ${r.argv.join(' ')}`);
  const lb2 = result.transitions.filter((t) => t.node === 'lb2').map((t) => [t.t_ms, t.to]);
  // lb2 takes over in the partition and gives back once it hears lb1 again.
  const lb2Master = lb2.find(([t, to]) => to === 'MASTER' && (t as number) > 10_000)![0] as number;
  const lb2Backup = lb2.find(([t, to]) => to === 'BACKUP' && (t as number) > 20_500)![0] as number;
  const lower = runs.filter((r) => r.includes('lower.sh'));
  // lb1 hears lb2's advertisement (priority 100 < 150) as master: one run, at that advertisement, before lb2 yields
  // on hearing lb1's answer.
  assert.equal(lower.length, 1, runs.join('\n'));
  const [at, node] = lower[0]!.split(' ');
  assert.equal(node, 'lb1');
  assert.ok(Number(at) > 20_500 && Number(at) <= lb2Backup, `${at} within the heal and lb2's step-down at ${lb2Backup}`);
  // The order at each transition: notify_<state> first, then notify with the four arguments.
  const byNode = (n: string) => runs.filter((r) => r.split(' ')[1] === n).map((r) => r.split(' ').slice(2).join(' '));
  assert.deepEqual(byNode('lb2').slice(0, 6), [
    '/etc/vigil/backup.sh',
    '/etc/vigil/notify.sh INSTANCE VI_1 BACKUP 100',
    '/etc/vigil/master.sh',
    '/etc/vigil/notify.sh INSTANCE VI_1 MASTER 100',
    '/etc/vigil/backup.sh',
    '/etc/vigil/notify.sh INSTANCE VI_1 BACKUP 100',
  ]);
  assert.ok(runs.some((r) => r === `${lb2Master} lb2 /etc/vigil/master.sh`));
  // lb1's graceful stop at 30 s: notify_stop, then notify STOP.
  assert.deepEqual(
    runs.filter((r) => r.startsWith('30000 lb1')),
    ['30000 lb1 /etc/vigil/stop.sh', '30000 lb1 /etc/vigil/notify.sh INSTANCE VI_1 STOP 150'],
  );
});

test('with no partition, no master ever hears a lower priority: notify_master_rx_lower_pri never runs', () => {
  const result = runSimulation(parseScenario(scenario([]), 'notify.json'), { seed: 1 });
  assert.deepEqual(result.scripts.filter((r) => r.argv[0] === '/etc/vigil/lower.sh'), []);
});
