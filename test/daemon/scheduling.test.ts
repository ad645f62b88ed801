/**
 * global_defs vrrp_priority / vrrp_rt_priority / vrrp_rlimit_rttime reach the VRRP thread's scheduling at start,
 * and checker_priority / checker_rt_priority / checker_rlimit_rttime reach the checker host (its worker thread).
 * Simulated transports: no root, no real scheduling change.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InProcessCheckerHost } from '../../actors/checks/checker-host.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { SimulatedBackend } from '../../sim/simulated-backend.js';
import { SimulatedProber } from '../../sim/simulated-prober.js';
import type { ThreadScheduling } from '../../transport/thread-scheduling.js';
import { instanceConfig, simulatedDaemon } from './simulated-daemon.js';

const CONFIG = (globals: string): string => `${instanceConfig(globals)}virtual_server 192.168.77.100 80 {
    delay_loop 5
    lb_kind NAT
    protocol TCP
    real_server 192.168.77.21 80 {
        TCP_CHECK {
            connect_timeout 1
        }
    }
}
`;

async function start(globals: string, failing: readonly string[] = []) {
  const vrrpCalls: ThreadScheduling[] = [];
  const checkerCalls: ThreadScheduling[] = [];
  const random = new SeededRandom(2);
  const d = simulatedDaemon(CONFIG(globals), {
    environment: ({ clock }) => ({
      applyScheduling: (settings) => {
        vrrpCalls.push(settings);
        return failing;
      },
      checks: async () => ({
        host: (scheduling) => {
          checkerCalls.push(scheduling);
          return new InProcessCheckerHost({ clock, random, prober: new SimulatedProber(clock) });
        },
        backend: async () => ({ backend: new SimulatedBackend(clock), statement: 'simulated' }),
      }),
    }),
  });
  await d.daemon.start();
  return { vrrpCalls, checkerCalls, warnings: d.warnings, close: d.close };
}

test('vrrp_* scheduling goes to the VRRP thread, checker_* to the checker host', async () => {
  const w = await start('    vrrp_priority -5\n    vrrp_rt_priority 10\n    vrrp_rlimit_rttime 20000\n    checker_priority 5\n    checker_rt_priority 3\n    checker_rlimit_rttime 30000');
  try {
    assert.deepEqual(w.vrrpCalls, [{ nice: -5, realtimePriority: 10, rlimitRttimeUs: 20000, sliceUs: 100, cpus: undefined, name: undefined, maxAutoPriority: undefined, minAutoPriorityDelayUs: undefined }]);
    assert.deepEqual(w.checkerCalls, [{ nice: 5, realtimePriority: 3, rlimitRttimeUs: 30000, cpus: undefined, name: undefined, maxAutoPriority: undefined, minAutoPriorityDelayUs: undefined }]);
  } finally {
    await w.close();
  }
});

test('without the keywords nothing is asked for; a refused setting is logged, not fatal', async () => {
  const w = await start('    router_id lb1', ['realtime priority 10: sched_setscheduler: Operation not permitted']);
  try {
    assert.deepEqual(w.vrrpCalls, [{ nice: undefined, realtimePriority: undefined, rlimitRttimeUs: undefined, sliceUs: 100, cpus: undefined, name: undefined, maxAutoPriority: undefined, minAutoPriorityDelayUs: undefined }]);
    assert.deepEqual(w.checkerCalls, [{ nice: undefined, realtimePriority: undefined, rlimitRttimeUs: undefined, cpus: undefined, name: undefined, maxAutoPriority: undefined, minAutoPriorityDelayUs: undefined }]);
    assert.ok(w.warnings.some((m) => /VRRP thread scheduling: realtime priority 10/.test(m)), w.warnings.join('\n'));
  } finally {
    await w.close();
  }
});

test('vrrp_cpu_affinity and vrrp_process_name go to the VRRP thread, checker_cpu_affinity and checker_process_name to the checker thread', async () => {
  const w = await start('    vrrp_cpu_affinity 0\n    checker_cpu_affinity 1 0\n    vrrp_process_name ka_vrrp\n    checker_process_name ka_check');
  try {
    assert.deepEqual([w.vrrpCalls[0]?.cpus, w.vrrpCalls[0]?.name], [[0], 'ka_vrrp']);
    assert.deepEqual([w.checkerCalls[0]?.cpus, w.checkerCalls[0]?.name], [[1, 0], 'ka_check']);
  } finally {
    await w.close();
  }
});

test('process_names: keepalived_vrrp and keepalived_lvs with vigil\'s prefix; process_name names the VRRP thread, which is the main one', async () => {
  const named = await start('    process_names');
  try {
    assert.deepEqual([named.vrrpCalls[0]?.name, named.checkerCalls[0]?.name], ['vigil_vrrp', 'vigil_lvs']);
  } finally {
    await named.close();
  }
  const main = await start('    process_name ka_main');
  try {
    assert.deepEqual([main.vrrpCalls[0]?.name, main.checkerCalls[0]?.name], ['ka_main', undefined]);
  } finally {
    await main.close();
  }
});
