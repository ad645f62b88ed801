/**
 * One announced thing (vigil's `announce_table`: a virtual server, or a VRRP instance): its addresses' host routes
 * are in the announce table while it is healthy (a virtual server has its quorum, as quorum_up / quorum_down say;
 * an instance is MASTER), and nowhere else. `announce` and `withdraw` are the runtime's (the route announcer,
 * transport/route-announcer.ts): entering `announced` announces, leaving it for whatever reason withdraws. A failed
 * announcement (the kernel refused) withdraws what went in and tries again `retry` later, for as long as healthy.
 * STOP (vigil stops, or a reload drops the keyword) withdraws and ends.
 */
import { assign, setup } from 'xstate';

export interface AnnouncementInput {
  readonly healthy: boolean;
  /** Milliseconds before a failed announcement is tried again. */
  readonly retryMs: number;
}

export interface AnnouncementContext {
  readonly healthy: boolean;
  readonly retryMs: number;
}

export type AnnouncementEvent = { readonly type: 'HEALTH'; readonly healthy: boolean } | { readonly type: 'FAILED' } | { readonly type: 'STOP' };

export const announcementMachine = setup({
  types: {} as { context: AnnouncementContext; events: AnnouncementEvent; input: AnnouncementInput },
  actions: {
    announce: () => {},
    withdraw: () => {},
    setHealth: assign({ healthy: ({ event, context }) => (event.type === 'HEALTH' ? event.healthy : context.healthy) }),
  },
  guards: {
    healthy: ({ context }) => context.healthy,
    unhealthy: ({ event }) => event.type === 'HEALTH' && !event.healthy,
  },
  delays: {
    retry: ({ context }) => context.retryMs,
  },
}).createMachine({
  id: 'announcement',
  context: ({ input }) => ({ healthy: input.healthy, retryMs: input.retryMs }),
  initial: 'withdrawn',
  on: {
    HEALTH: { actions: 'setHealth' },
    STOP: { target: '.stopped' },
  },
  states: {
    withdrawn: {
      always: { guard: 'healthy', target: 'announced' },
    },
    announced: {
      entry: 'announce',
      exit: 'withdraw',
      on: {
        HEALTH: { guard: 'unhealthy', target: 'withdrawn', actions: 'setHealth' },
        FAILED: { target: 'failed' },
      },
    },
    failed: {
      after: { retry: { target: 'withdrawn' } },
    },
    stopped: {
      type: 'final',
    },
  },
});
