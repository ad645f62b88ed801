/**
 * The Clock contract (clock-contract.ts) on the real clock (timerfd through the addon, and spinning without it),
 * on the simulator's virtual clock, and on broken clocks that must fail it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock, TimerId } from '../../machines/clock.js';
import { RealClock } from '../../transport/real/real-clock.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { nativeAvailable } from '../../native/index.js';
import { clockContract, type ClockRig } from './clock-contract.js';
import { failingCases, pollUntil, runContract } from './contract.js';

function realRig(clock: RealClock): ClockRig {
  return { clock, until: (done) => pollUntil(done, 'real clock') };
}

/** Runs the virtual queue one timer at a time until the condition holds; an empty queue before that is a failure. */
function virtualRig(clock: VirtualClock = new VirtualClock()): ClockRig {
  return {
    clock,
    async until(done) {
      while (!done()) if (!clock.step()) throw new Error('no timer left to run, and the condition does not hold');
    },
  };
}

test('clock contract: real clock, precise timers on a timerfd', { skip: nativeAvailable() ? false : 'vigil_native addon not built' }, async (t) => {
  await runContract(t, clockContract, realRig(new RealClock({ precision: 'timerfd' })));
});

test('clock contract: real clock, precise timers spinning (no addon)', async (t) => {
  await runContract(t, clockContract, realRig(new RealClock({ precision: 'spin', spinMs: 3 })));
});

test('clock contract: virtual clock', async (t) => {
  await runContract(t, clockContract, virtualRig());
});

/** A virtual clock with one fault; the rest is the real thing. */
class BrokenClock implements Clock {
  readonly inner = new VirtualClock();
  private count = 0;
  constructor(private readonly fault: 'early' | 'rounds' | 'deaf' | 'lifo' | 'twice') {}
  now(): number {
    return this.inner.now();
  }
  setTimeout(fn: () => void, ms: number): TimerId {
    switch (this.fault) {
      case 'early':
        return this.inner.setTimeout(fn, ms - 2);
      case 'rounds':
        return this.inner.setTimeout(fn, Math.round(ms));
      case 'lifo':
        // Ties come out last set, first fired.
        return this.inner.setTimeout(fn, ms - ++this.count * 1e-6);
      case 'twice':
        this.inner.setTimeout(fn, ms);
        return this.inner.setTimeout(fn, ms + 1);
      default:
        return this.inner.setTimeout(fn, ms);
    }
  }
  clearTimeout(id: TimerId): void {
    if (this.fault !== 'deaf') this.inner.clearTimeout(id);
  }
}

test('clock contract: broken clocks fail it', async () => {
  const rig = (fault: ConstructorParameters<typeof BrokenClock>[0]) => (): ClockRig => {
    const clock = new BrokenClock(fault);
    return { ...virtualRig(clock.inner), clock };
  };
  const failing = async (fault: ConstructorParameters<typeof BrokenClock>[0]) => failingCases(clockContract, rig(fault));
  assert.ok((await failing('early')).includes('a plain timer is never early by more than the event loop rounds; a negative delay is no delay'));
  assert.ok((await failing('rounds')).includes('a precise timer (or an exact plain one) is never early, fractions of a millisecond included'));
  assert.ok((await failing('deaf')).includes('a cancelled timer never fires, plain or precise; cancelling unknown or fired ids is harmless'));
  assert.ok((await failing('lifo')).includes('timers fire in deadline order, ties in the order they were set'));
  assert.ok((await failing('twice')).includes('every timer fires once; one set from a firing timer fires at its own time'));
  // And the faithful wrapper passes: the failures are the faults'.
  assert.deepEqual(await failingCases(clockContract, () => virtualRig()), []);
});
