/**
 * One `track_process` block's status, as keepalived decides it (track_process.c): up while the number of matching
 * processes is within [quorum, quorum_max]. The first listing decides at once; afterwards only a count that
 * crosses into or out of that range can change it, and when:
 * - a crossing caused by a fork waits `fork_delay` before the status is judged again (a daemon that forks a child
 *   which then runs something else does not bounce), unless a terminate delay is running, which the fork ends;
 * - a crossing caused by an exit waits `terminate_delay` (a daemon restarted by its supervisor does not bounce),
 *   unless a fork delay is running, which the exit ends;
 * - a crossing caused by a new program or name is judged at once, and ends any delay.
 * When a delay ends the status is judged from the count at that moment. Every change of status is reported once.
 * Pure: the runtime counts the processes (machines/process-census.ts) and sends LISTED and COUNT.
 */
import { and, assign, not, setup } from 'xstate';
import type { CountCause } from './process-census.js';

/** keepalived's quorum_max when none is given (UINT_MAX). */
export const QUORUM_MAX_UNBOUNDED = 4294967295;

export interface TrackedProcessInput {
  readonly name: string;
  readonly quorum: number;
  readonly quorumMax: number;
  readonly forkDelayMs: number;
  readonly terminateDelayMs: number;
}

export interface TrackedProcessContext extends TrackedProcessInput {
  readonly count: number;
  /** What was last reported; undefined before the first listing. */
  readonly up: boolean | undefined;
}

export type TrackedProcessEvent = { type: 'LISTED'; count: number } | { type: 'COUNT'; count: number; cause: CountCause };

const within = (c: { quorum: number; quorumMax: number }, count: number): boolean => count >= c.quorum && count <= c.quorumMax;

export const trackedProcessMachine = setup({
  types: {
    context: {} as TrackedProcessContext,
    events: {} as TrackedProcessEvent,
    input: {} as TrackedProcessInput,
  },
  actions: {
    report: (_, _params: { up: boolean; count: number }) => {},
    setCount: assign(({ event }) => ({ count: event.count })),
    remember: assign(({ context }) => ({ up: within(context, context.count) })),
  },
  guards: {
    /** The status reported is not what the count says (or none was reported yet). */
    outOfStep: ({ context }) => context.up !== within(context, context.count),
    crossing: ({ context, event }) => event.type === 'COUNT' && within(context, context.count) !== within(context, event.count),
    byFork: ({ event }) => event.type === 'COUNT' && event.cause === 'fork',
    byExit: ({ event }) => event.type === 'COUNT' && event.cause === 'exit',
    forkDelayed: ({ context, event }) => event.type === 'COUNT' && event.cause === 'fork' && context.forkDelayMs > 0,
    exitDelayed: ({ context, event }) => event.type === 'COUNT' && event.cause === 'exit' && context.terminateDelayMs > 0,
  },
  delays: {
    forkDelay: ({ context }) => context.forkDelayMs,
    terminateDelay: ({ context }) => context.terminateDelayMs,
  },
}).createMachine({
  id: 'trackedProcess',
  context: ({ input }) => ({ ...input, count: 0, up: undefined }),
  initial: 'listing',
  states: {
    /** Before the first listing: nothing is known, nothing is reported. */
    listing: {
      on: {
        LISTED: { target: 'settled', actions: 'setCount' },
        COUNT: { actions: 'setCount' },
      },
    },
    /** The status follows the count at once. */
    settled: {
      always: { guard: 'outOfStep', actions: ['remember', { type: 'report', params: ({ context }) => ({ up: context.up === true, count: context.count }) }] },
      on: {
        COUNT: [
          { guard: and(['crossing', 'forkDelayed']), target: 'forkDelay', actions: 'setCount' },
          { guard: and(['crossing', 'exitDelayed']), target: 'terminateDelay', actions: 'setCount' },
          { actions: 'setCount' },
        ],
      },
    },
    /** A fork crossed the range: judged when fork_delay is over, or at once if something else crosses it first. */
    forkDelay: {
      after: { forkDelay: 'settled' },
      on: {
        COUNT: [
          { guard: and(['crossing', not('byFork')]), target: 'settled', actions: 'setCount' },
          { actions: 'setCount' },
        ],
      },
    },
    /** An exit crossed the range: judged when terminate_delay is over, or at once if something else crosses it first. */
    terminateDelay: {
      after: { terminateDelay: 'settled' },
      on: {
        COUNT: [
          { guard: and(['crossing', not('byExit')]), target: 'settled', actions: 'setCount' },
          { actions: 'setCount' },
        ],
      },
    },
  },
});
