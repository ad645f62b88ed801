/**
 * global_defs bfd_priority / bfd_rt_priority / bfd_rlimit_rttime / bfd_cpu_affinity / bfd_process_name reach the
 * BFD host's thread (the daemon's worker, actors/daemon/worker-bfd-host.ts), as vrrp_* reach the VRRP thread; with
 * process_names it is named vigil_bfd (keepalived_bfd). Simulated transports: the host made is an in-process one,
 * the scheduling asked for is recorded. test/real/bfd-worker-scheduling.test.ts shows the worker applying it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InProcessBfdHost } from '../../actors/bfd/bfd-host.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { SimulatedBfdLink } from '../../sim/simulated-bfd-link.js';
import type { ThreadScheduling } from '../../transport/thread-scheduling.js';
import { instanceConfig, simulatedDaemon } from './simulated-daemon.js';

const CONFIG = (globals: string, bfd: boolean): string => instanceConfig(globals) + (bfd ? 'bfd_instance gw {\n    neighbor_ip 192.168.77.1\n}\n' : '');

async function bfdCalls(globals: string, bfd = true): Promise<ThreadScheduling[]> {
  const calls: ThreadScheduling[] = [];
  const random = new SeededRandom(2);
  const { daemon, clock, close } = simulatedDaemon(CONFIG(globals, bfd), {
    environment: ({ clock, host }) => ({
      bfdHost: (scheduling) => {
        calls.push(scheduling);
        return new InProcessBfdHost(new SimulatedBfdLink([host.portOf('eth0')!], random), clock, random);
      },
    }),
  });
  try {
    await daemon.start();
    clock.runFor(100);
    // The session runs on the host made for it.
    assert.equal(daemon.status().bfd?.length ?? 0, bfd ? 1 : 0);
  } finally {
    await close();
  }
  return calls;
}

test('bfd_* scheduling goes to the BFD host, once, when a configuration has a bfd_instance', async () => {
  const calls = await bfdCalls('    bfd_priority -4\n    bfd_rt_priority 12\n    bfd_rlimit_rttime 25000\n    bfd_cpu_affinity 1 0\n    bfd_process_name ka_bfd\n    vrrp_priority -2');
  assert.deepEqual(calls, [{ nice: -4, realtimePriority: 12, rlimitRttimeUs: 25000, cpus: [1, 0], name: 'ka_bfd', maxAutoPriority: undefined, minAutoPriorityDelayUs: undefined }]);
});

test('process_names names the BFD thread vigil_bfd; bfd_rlimit_rtime is bfd_rlimit_rttime; no bfd_instance, no host', async () => {
  const [named] = await bfdCalls('    process_names\n    bfd_rlimit_rtime 9000');
  assert.deepEqual([named?.name, named?.rlimitRttimeUs, named?.nice], ['vigil_bfd', 9000, undefined]);
  assert.deepEqual(await bfdCalls('    bfd_priority 3', false), []);
});
