/**
 * global_defs vrrp_priority / vrrp_rt_priority / vrrp_rlimit_rttime reach the VRRP thread's scheduling at start,
 * and checker_priority / checker_rt_priority / checker_rlimit_rttime reach the checker host (its worker thread).
 * Simulated transports: no root, no real scheduling change.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VigilDaemon } from '../../actors/daemon/daemon.js';
import { InProcessCheckerHost } from '../../actors/checks/checker-host.js';
import { SimHost } from '../../sim/sim-host.js';
import { LanSegment } from '../../sim/lan-segment.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SimulatedBackend } from '../../sim/simulated-backend.js';
import { SimulatedProber } from '../../sim/simulated-prober.js';
import type { ThreadScheduling } from '../../transport/thread-scheduling.js';

const CONFIG = (globals: string): string => `
global_defs {
${globals}
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        192.168.77.100/24 dev eth0
    }
}
virtual_server 192.168.77.100 80 {
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
  const dir = mkdtempSync(join(tmpdir(), 'vigil-sched-'));
  const file = join(dir, 'keepalived.conf');
  writeFileSync(file, CONFIG(globals));
  const clock = new VirtualClock();
  const segment = new LanSegment('eth0', clock, new SeededRandom(1), { latencyMs: 1, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 });
  const host = new SimHost('lb1', 0);
  host.addInterface('eth0', segment, [{ address: '192.168.77.11', prefix: 24, family: 4 }]);
  const vrrpCalls: ThreadScheduling[] = [];
  const checkerCalls: ThreadScheduling[] = [];
  const warnings: string[] = [];
  const random = new SeededRandom(2);
  const daemon = new VigilDaemon(
    {
      clock,
      link: host,
      addresses: host,
      announcer: host,
      processes: { run: async () => ({ kind: 'exited', code: 0 }) },
      log: { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} },
      pid: 1000,
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
    },
    { configFile: file, nodeName: 'lb1' },
  );
  await daemon.start();
  return {
    vrrpCalls,
    checkerCalls,
    warnings,
    async close() {
      await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('vrrp_* scheduling goes to the VRRP thread, checker_* to the checker host', async () => {
  const w = await start('    vrrp_priority -5\n    vrrp_rt_priority 10\n    vrrp_rlimit_rttime 20000\n    checker_priority 5\n    checker_rt_priority 3\n    checker_rlimit_rttime 30000');
  try {
    assert.deepEqual(w.vrrpCalls, [{ nice: -5, realtimePriority: 10, rlimitRttimeUs: 20000, sliceUs: 100, cpus: undefined, name: undefined }]);
    assert.deepEqual(w.checkerCalls, [{ nice: 5, realtimePriority: 3, rlimitRttimeUs: 30000, cpus: undefined, name: undefined }]);
  } finally {
    await w.close();
  }
});

test('without the keywords nothing is asked for; a refused setting is logged, not fatal', async () => {
  const w = await start('    router_id lb1', ['realtime priority 10: sched_setscheduler: Operation not permitted']);
  try {
    assert.deepEqual(w.vrrpCalls, [{ nice: undefined, realtimePriority: undefined, rlimitRttimeUs: undefined, sliceUs: 100, cpus: undefined, name: undefined }]);
    assert.deepEqual(w.checkerCalls, [{ nice: undefined, realtimePriority: undefined, rlimitRttimeUs: undefined, cpus: undefined, name: undefined }]);
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
