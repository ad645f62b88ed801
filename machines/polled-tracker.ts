/**
 * A tracked file (keepalived `vrrp_track_file`): looked at every interval; a change of what was seen is reported
 * once. (keepalived learns of changes through inotify; polling is simpler and as good at one-second resolution.)
 * Pure: the runtime does the looking (action `poll`) and answers with SEEN.
 */
import { assign, setup } from 'xstate';

export interface PolledTrackerInput {
  readonly name: string;
  readonly intervalMs: number;
  /** What was seen (and reported) before the machine started, if anything: only a change from it is reported. */
  readonly seen?: { readonly up: boolean; readonly value?: number | undefined } | undefined;
}

export interface PolledTrackerContext extends PolledTrackerInput {
  /** What was last reported: up/down and the number read. */
  readonly seen: { readonly up: boolean; readonly value?: number | undefined } | undefined;
}

export type PolledTrackerEvent = { type: 'SEEN'; up: boolean; value?: number | undefined };

export const polledTrackerMachine = setup({
  types: {
    context: {} as PolledTrackerContext,
    events: {} as PolledTrackerEvent,
    input: {} as PolledTrackerInput,
  },
  actions: {
    poll: () => {},
    report: (_, _params: { up: boolean; value?: number | undefined }) => {},
    remember: assign(({ event }) => ({ seen: { up: event.up, value: event.value } })),
  },
  guards: {
    changed: ({ context, event }) => context.seen === undefined || context.seen.up !== event.up || context.seen.value !== event.value,
  },
  delays: {
    interval: ({ context }) => context.intervalMs,
  },
}).createMachine({
  id: 'tracker',
  context: ({ input }) => ({ ...input, seen: input.seen }),
  initial: 'polling',
  states: {
    waiting: { after: { interval: 'polling' } },
    polling: {
      entry: 'poll',
      on: {
        SEEN: [
          { guard: 'changed', target: 'waiting', actions: ['remember', { type: 'report', params: ({ event }) => ({ up: event.up, value: event.value }) }] },
          { target: 'waiting' },
        ],
      },
    },
  },
});
