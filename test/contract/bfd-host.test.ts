/**
 * The BfdHost contract (bfd-host-contract.ts) in-process on the virtual clock (the simulator's host) and in the
 * BFD worker thread on the real clock (the daemon's), both on the loopback link; broken hosts must fail it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InProcessBfdHost, type BfdHost } from '../../actors/bfd/bfd-host.js';
import { WorkerBfdHost } from '../../actors/daemon/worker-bfd-host.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { failingCases, pollUntil, runContract } from './contract.js';
import { bfdHostContract, type BfdHostRig } from './bfd-host-contract.js';
import { LoopbackBfdLink } from './bfd-loopback-link.js';

function simRig(wrap: (host: InProcessBfdHost) => BfdHost = (host) => host): BfdHostRig {
  const clock = new VirtualClock();
  return {
    host: () => wrap(new InProcessBfdHost(new LoopbackBfdLink((fn) => clock.setTimeout(fn, 1)), clock, new SeededRandom(5))),
    async until(done) {
      const limit = clock.now() + 60_000;
      while (!done()) {
        if (clock.now() > limit || !clock.step()) throw new Error('the condition is not reached on the virtual clock');
      }
    },
  };
}

test('BFD host contract: in-process, virtual clock', async (t) => {
  await runContract(t, bfdHostContract, simRig());
});

test('BFD host contract: worker thread, real clock', { timeout: 240_000 }, async (t) => {
  const warnings: string[] = [];
  const rig: BfdHostRig = {
    // The hang bound well above the default 1 s: the contract is not about hangs (test/daemon/worker-bfd-host.test.ts
    // is), and a heavily loaded test host must not have a live worker replaced under it.
    host: () => new WorkerBfdHost({ scheduling: {}, warn: (m) => warnings.push(m), linkModule: new URL('./bfd-loopback-link.js', import.meta.url), statusMs: 50, minHangMs: 10_000 }),
    until: (done) => pollUntil(done, 'worker BFD host', 60_000, 10),
  };
  await runContract(t, bfdHostContract, rig);
  assert.deepEqual(warnings, []);
});

/** The in-process host with one fault. */
function broken(fault: 'no epochs' | 'restarts all' | 'hides drops' | 'never completes') {
  return (inner: InProcessBfdHost): BfdHost => {
    let applies = 0;
    return {
      events$: {
        subscribe: (observer: Parameters<InProcessBfdHost['events$']['subscribe']>[0]) =>
          inner.events$.subscribe({
            next: (e) => {
              if (fault === 'hides drops' && e.kind === 'drop') return;
              const event = fault === 'no epochs' && e.kind === 'change' ? { ...e, change: { ...e.change, epoch: 0 } } : e;
              (observer as { next?: (e: unknown) => void }).next?.(event);
            },
            complete: () => (fault === 'never completes' ? undefined : (observer as { complete?: () => void }).complete?.()),
          }),
      } as InProcessBfdHost['events$'],
      apply: (specs, epoch) => {
        // A host that restarts every session on a reload: the kept one loses its state and epoch.
        if (fault === 'restarts all' && applies++ > 0) {
          inner.apply([], epoch);
          return inner.apply(specs, epoch);
        }
        return inner.apply(specs, epoch);
      },
      sessions: () => inner.sessions(),
      dropCounts: () => inner.dropCounts(),
      stop: () => inner.stop(),
    };
  };
}

test('BFD host contract: broken hosts fail it', async () => {
  const failing = (fault: Parameters<typeof broken>[0]) => failingCases(bfdHostContract, () => simRig(broken(fault)));
  const name = (start: string) => bfdHostContract.find((c) => c.name.startsWith(start))!.name;
  assert.ok((await failing('no epochs')).includes(name('two sessions')));
  assert.ok((await failing('restarts all')).includes(name('a kept session')));
  assert.ok((await failing('hides drops')).includes(name('a packet for no session')));
  assert.ok((await failing('never completes')).includes(name('stop()')));
  assert.deepEqual(await failingCases(bfdHostContract, () => simRig()), []);
});
