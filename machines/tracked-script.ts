/**
 * A tracked script (keepalived `vrrp_script`): run every `interval`; `fall` consecutive failures take it down,
 * `rise` consecutive successes bring it up; a run that outlasts `timeout` is a failure. It starts up, or down with
 * `init_fail`. Pure: the runtime runs the script (action `runScript`) and answers with RESULT.
 */
import { assign, setup } from 'xstate';

export interface TrackedScriptInput {
  readonly name: string;
  readonly intervalMs: number;
  readonly rise: number;
  readonly fall: number;
  readonly initFail: boolean;
}

export interface TrackedScriptContext extends TrackedScriptInput {
  readonly up: boolean;
  /** Consecutive results that disagree with the current status. */
  readonly against: number;
}

export type TrackedScriptEvent = { type: 'RESULT'; ok: boolean };

export const trackedScriptMachine = setup({
  types: {
    context: {} as TrackedScriptContext,
    events: {} as TrackedScriptEvent,
    input: {} as TrackedScriptInput,
  },
  actions: {
    runScript: () => {},
    /** The status flipped: the instances tracking the script hear about it. */
    statusChanged: (_, _params: { up: boolean }) => {},
    count: assign(({ context, event }) => {
      if (event.ok === context.up) return { against: 0 };
      return { against: context.against + 1 };
    }),
    flip: assign(({ context }) => ({ up: !context.up, against: 0 })),
  },
  guards: {
    flips: ({ context, event }) => {
      if (event.ok === context.up) return false;
      // The result is counted before this guard is evaluated on the next transition; here we look ahead.
      return context.against + 1 >= (context.up ? context.fall : context.rise);
    },
  },
  delays: {
    interval: ({ context }) => context.intervalMs,
  },
}).createMachine({
  id: 'vrrp_script',
  context: ({ input }) => ({ ...input, up: !input.initFail, against: 0 }),
  initial: 'running',
  states: {
    waiting: {
      after: { interval: 'running' },
    },
    running: {
      entry: 'runScript',
      on: {
        RESULT: [
          {
            guard: 'flips',
            target: 'waiting',
            actions: ['flip', { type: 'statusChanged', params: ({ context }) => ({ up: context.up }) }],
          },
          { target: 'waiting', actions: 'count' },
        ],
      },
    },
  },
});
