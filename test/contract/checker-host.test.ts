/**
 * The CheckerHost contract (checker-host-contract.ts) in-process on the virtual clock with the simulated prober
 * (the simulator's host), in a worker thread on the real clock with real probes (the daemon's); broken hosts must
 * fail it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InProcessCheckerHost, type CheckerAddOptions, type CheckerHost } from '../../actors/checks/checker-host.js';
import type { ResolvedChecker } from '../../actors/checks/resolve-checkers.js';
import { WorkerCheckerHost } from '../../actors/daemon/worker-checker-host.js';
import { RealClock } from '../../transport/real/real-clock.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { SimulatedProber } from '../../sim/simulated-prober.js';
import type { Endpoint } from '../../transport/prober.js';
import { startTcp } from '../checkers/local-servers.js';
import { failingCases, pollUntil, runContract } from './contract.js';
import { checkerHostContract, type CheckerHostRig } from './checker-host-contract.js';

function tcpChecker(id: string, target: Endpoint): ResolvedChecker {
  return {
    id,
    kind: 'TCP_CHECK',
    warmupMs: 0,
    params: { delayLoopMs: 100, timeoutMs: 500, retry: 0, delayBeforeRetryMs: 100, delayWhileDownMs: 100, alpha: false, fromStart: false },
    probe: { kind: 'tcp', target, timeoutMs: 500 },
  };
}

test('checker host contract: worker thread, real clock, real probes', { timeout: 180_000 }, async (t) => {
  const up = await startTcp();
  const down = await startTcp();
  await down.stop();
  const rig: CheckerHostRig = {
    host: () => new WorkerCheckerHost({ clock: new RealClock() }),
    checker: (id, target) => tcpChecker(id, { host: '127.0.0.1', port: target === 'up' ? up.port : down.port }),
    // Every poll of the counters is a message to the worker and back: 20 ms apart.
    until: (done) => pollUntil(done, 'worker checker host', 60_000, 20),
  };
  try {
    await runContract(t, checkerHostContract, rig);
  } finally {
    await up.close();
  }
});

/** The simulator's host: in-process, on the virtual clock, probing simulated servers. */
function simRig(wrap: (host: InProcessCheckerHost) => CheckerHost = (host) => host): CheckerHostRig {
  const clock = new VirtualClock();
  const prober = new SimulatedProber(clock, { '10.0.0.1': { mode: 'up', latencyMs: 2 }, '10.0.0.2': { mode: 'refuse', latencyMs: 1 } });
  return {
    host: () => wrap(new InProcessCheckerHost({ clock, random: new SeededRandom(7), prober })),
    checker: (id, target) => tcpChecker(id, { host: target === 'up' ? '10.0.0.1' : '10.0.0.2', port: 80 }),
    async until(done) {
      // Two virtual minutes are over a thousand delay loops: far more than any case needs.
      const limit = clock.now() + 120_000;
      while (!(await done())) {
        if (clock.now() > limit || !clock.step()) throw new Error('the condition is not reached on the virtual clock');
      }
    },
  };
}

test('checker host contract: in-process, virtual clock, simulated probes', async (t) => {
  await runContract(t, checkerHostContract, simRig());
});

/** The in-process host with one fault. */
function broken(fault: 'deaf to pause' | 'keeps removed' | 'forgets state' | 'counts nothing' | 'takes duplicates') {
  return (inner: InProcessCheckerHost): CheckerHost => {
    const ids = new Set<string>();
    return {
    events$: inner.events$,
    add(checkers: readonly ResolvedChecker[], options: CheckerAddOptions = {}) {
      if (fault === 'forgets state') return inner.add(checkers, { ...options, initialUp: new Map() });
      if (fault === 'deaf to pause') return inner.add(checkers, { ...options, disabled: new Set() });
      if (fault === 'takes duplicates') {
        // Adds what it does not have yet, silently.
        const fresh = checkers.filter((c) => !ids.has(c.id) && ids.add(c.id));
        return inner.add(fresh, options);
      }
      return inner.add(checkers, options);
    },
    remove: (ids) => (fault === 'keeps removed' ? undefined : inner.remove(ids)),
    setEnabled: (ids, enabled) => (fault === 'deaf to pause' ? undefined : inner.setEnabled(ids, enabled)),
    counters: async () => (fault === 'counts nothing' ? { probes: 0, failures: 0 } : inner.counters()),
    stop: () => inner.stop(),
    };
  };
}

test('checker host contract: broken hosts fail it', async () => {
  const failing = (fault: Parameters<typeof broken>[0]) => failingCases(checkerHostContract, () => simRig(broken(fault)));
  const name = (start: string) => checkerHostContract.find((c) => c.name.startsWith(start))!.name;
  const deaf = await failing('deaf to pause');
  assert.ok(deaf.includes(name('a checker added paused')) && deaf.includes(name('a running checker paused')), deaf.join('; '));
  assert.ok((await failing('keeps removed')).includes(name('a removed checker')));
  assert.ok((await failing('forgets state')).includes(name('a checker resumed')));
  assert.ok((await failing('counts nothing')).includes(name('counters count')));
  assert.ok((await failing('takes duplicates')).includes(name('a duplicate id')));
  assert.deepEqual(await failingCases(checkerHostContract, () => simRig()), []);
});
