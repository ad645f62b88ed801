/**
 * The Clock contract (machines/clock.ts): monotonic time; timers in deadline order, ties in the order they were
 * set; a plain timer never early by more than the event loop's millisecond rounding; a precise timer (or, on a
 * clock without them, a plain one, which must then be exact) never early at all, fractions of a millisecond
 * included; a cancelled timer never fires and cancelling is harmless; every timer fires once.
 *
 * Waits are for conditions (a sentinel timer that fired), never for a length of time: the real clock runs on a
 * loaded machine, where only lower bounds and order hold.
 */
import assert from 'node:assert/strict';
import type { Clock, TimerId } from '../../machines/clock.js';
import type { ContractCase } from './contract.js';

export interface ClockRig {
  readonly clock: Clock;
  /** Lets the clock's time go on until `done()` holds: runs the virtual queue, or waits in real time. */
  until(done: () => boolean): Promise<void>;
}

/** The event loop counts whole milliseconds: a plain real timer may fire up to this much before its deadline. */
export const PLAIN_EARLY_TOLERANCE_MS = 1;

/** The precise timer of a clock that offers them, else its plain timer (then exact by the contract). */
function preciseOf(clock: Clock): (fn: () => void, ms: number) => TimerId {
  return clock.setPreciseTimeout !== undefined ? clock.setPreciseTimeout.bind(clock) : clock.setTimeout.bind(clock);
}

export const clockContract: readonly ContractCase<ClockRig>[] = [
  {
    name: 'now() never goes back and moves on with the timers',
    async check({ clock, until }) {
      const start = clock.now();
      let previous = start;
      let at: number | undefined;
      clock.setTimeout(() => (at = clock.now()), 25);
      await until(() => {
        const now = clock.now();
        assert.ok(now >= previous, `now() went back from ${previous} to ${now}`);
        previous = now;
        return at !== undefined;
      });
      assert.ok(clock.now() >= at!, 'now() after the timer is not before its firing time');
      assert.ok(at! - start >= 25 - PLAIN_EARLY_TOLERANCE_MS, `a 25 ms timer fired ${at! - start} ms after it was set`);
    },
  },
  {
    name: 'timers fire in deadline order, ties in the order they were set',
    async check({ clock, until }) {
      const order: string[] = [];
      clock.setTimeout(() => order.push('30'), 30);
      clock.setTimeout(() => order.push('10 first'), 10);
      clock.setTimeout(() => order.push('20'), 20);
      clock.setTimeout(() => order.push('10 second'), 10);
      clock.setTimeout(() => order.push('0'), -5);
      await until(() => order.length === 5);
      assert.deepEqual(order, ['0', '10 first', '10 second', '20', '30']);
    },
  },
  {
    name: 'a plain timer is never early by more than the event loop rounds; a negative delay is no delay',
    async check({ clock, until }) {
      const early: string[] = [];
      let left = 0;
      for (const ms of [0, 1, 7, 16, 40]) {
        const start = clock.now();
        left++;
        clock.setTimeout(() => {
          left--;
          const waited = clock.now() - start;
          if (waited < ms - PLAIN_EARLY_TOLERANCE_MS) early.push(`${ms} ms timer after ${waited} ms`);
        }, ms);
      }
      const start = clock.now();
      let negative: number | undefined;
      clock.setTimeout(() => (negative = clock.now() - start), -10);
      await until(() => left === 0 && negative !== undefined);
      assert.deepEqual(early, []);
      assert.ok(negative! >= 0, 'a negative delay fires, not before it was set');
    },
  },
  {
    name: 'a precise timer (or an exact plain one) is never early, fractions of a millisecond included',
    async check({ clock, until }) {
      const precise = preciseOf(clock);
      for (const ms of [0, 0.4, 3, 12.375, 20.9]) {
        const start = clock.now();
        let at: number | undefined;
        precise(() => (at = clock.now()), ms);
        await until(() => at !== undefined);
        assert.ok(at! - start >= ms, `a ${ms} ms precise timer fired after ${at! - start} ms`);
      }
    },
  },
  {
    name: 'precise and plain timers together fire in deadline order',
    async check({ clock, until }) {
      const precise = preciseOf(clock);
      const order: string[] = [];
      precise(() => order.push('precise 30'), 30);
      clock.setTimeout(() => order.push('plain 5'), 5);
      precise(() => order.push('precise 15'), 15);
      await until(() => order.length === 3);
      assert.deepEqual(order, ['plain 5', 'precise 15', 'precise 30']);
    },
  },
  {
    name: 'a cancelled timer never fires, plain or precise; cancelling unknown or fired ids is harmless',
    async check({ clock, until }) {
      const precise = preciseOf(clock);
      const fired: string[] = [];
      const plain = clock.setTimeout(() => fired.push('cancelled plain'), 10);
      const exact = precise(() => fired.push('cancelled precise'), 12);
      const done = clock.setTimeout(() => fired.push('done'), 1);
      // Cancelled from a timer due before them, so before their deadlines however late this runs.
      clock.setTimeout(() => {
        clock.clearTimeout(plain);
        clock.clearTimeout(exact);
        clock.clearTimeout(done); // fired already
        clock.clearTimeout(987_654); // never set
        fired.push('cancel');
      }, 5);
      precise(() => fired.push('sentinel'), 40);
      await until(() => fired.includes('sentinel'));
      assert.deepEqual(fired, ['done', 'cancel', 'sentinel']);
    },
  },
  {
    name: 'every timer fires once; one set from a firing timer fires at its own time',
    async check({ clock, until }) {
      const precise = preciseOf(clock);
      const fired: string[] = [];
      let chainedSetAt = 0;
      let chainedAt: number | undefined;
      clock.setTimeout(() => {
        fired.push('first');
        chainedSetAt = clock.now();
        precise(() => {
          fired.push('chained');
          chainedAt = clock.now();
        }, 10);
      }, 5);
      precise(() => fired.push('second'), 8);
      await until(() => chainedAt !== undefined);
      precise(() => fired.push('sentinel'), 20);
      await until(() => fired.includes('sentinel'));
      assert.deepEqual(fired, ['first', 'second', 'chained', 'sentinel']);
      assert.ok(chainedAt! - chainedSetAt >= 10, `the chained timer fired ${chainedAt! - chainedSetAt} ms after it was set`);
    },
  },
];
