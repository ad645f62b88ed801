/**
 * The BFD worker thread takes the scheduling the bfd_* global_defs ask for (actors/daemon/bfd-worker.ts): its name
 * (bfd_process_name), nice value (bfd_priority), CPU affinity (bfd_cpu_affinity) and, as root, SCHED_RR at
 * bfd_rt_priority, as /proc/self/task shows them; the VRRP (main) thread keeps its own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { WorkerBfdHost } from '../../actors/daemon/worker-bfd-host.js';
import { pollUntil } from '../contract/contract.js';

const NAME = 'vgl_bfdw_t';

function threadNamed(name: string): string | undefined {
  return readdirSync('/proc/self/task').find((tid) => {
    try {
      return readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() === name;
    } catch {
      return false;
    }
  });
}

/** Fields of /proc/.../stat after the command (field 3 is index 0). */
function statFields(tid: string | number): string[] {
  const text = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

test('the BFD worker thread is named, reniced, pinned and (as root) realtime as bfd_* say', { timeout: 60_000 }, async () => {
  const root = process.getuid?.() === 0;
  const cpu = cpus().length > 1 ? 1 : 0;
  const warnings: string[] = [];
  const host = new WorkerBfdHost({
    scheduling: { name: NAME, nice: 7, cpus: [cpu], ...(root ? { realtimePriority: 3, rlimitRttimeUs: 200_000 } : {}) },
    warn: (m) => warnings.push(m),
    linkModule: new URL('../contract/bfd-loopback-link.js', import.meta.url),
  });
  try {
    let tid: string | undefined;
    await pollUntil(() => (tid = threadNamed(NAME)) !== undefined, 'the BFD thread by its name', 30_000, 20);
    // Reported once the worker has applied it all (its 'ready'); sessions() answers after an apply.
    host.apply([], 1);
    await pollUntil(() => statFields(tid!)[16] === '7', 'nice 7', 30_000, 20);
    const status = readFileSync(`/proc/self/task/${tid}/status`, 'utf8');
    assert.equal(/Cpus_allowed_list:\s*(\S+)/.exec(status)?.[1], String(cpu));
    if (root) {
      // Fields 40 and 41: rt_priority and policy (2 = SCHED_RR).
      assert.deepEqual([statFields(tid!)[37], statFields(tid!)[38]], ['3', '2']);
    }
    assert.notEqual(statFields(process.pid)[16], '7', 'the main thread keeps its nice value');
    assert.deepEqual(warnings, []);
  } finally {
    host.stop();
  }
});
