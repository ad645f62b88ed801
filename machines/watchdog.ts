/**
 * The watchdog (keepalived's parent process restarting a dead VRRP or checker child): supervises one worker.
 * It pings on every heartbeat; a worker that has not answered for `hangAfterMs` is terminated as hung; a worker
 * still starting (loading its modules, which takes a few hundred milliseconds and much longer on a loaded host) is
 * judged by `startLimitMs` instead, until it says it is ready or answers a ping; a worker that exits is restarted after a backoff that doubles with each crash in a row (up to `maxRestartDelayMs`) and
 * resets once a worker has lived `stableAfterMs`. Pure: spawning, pinging and terminating are named actions.
 */
import { assign, setup } from 'xstate';

export interface WatchdogInput {
  readonly heartbeatMs: number;
  readonly hangAfterMs: number;
  /** How long a new worker may take to start before it is terminated as hung; default `hangAfterMs`. */
  readonly startLimitMs?: number;
  readonly restartDelayMs: number;
  readonly maxRestartDelayMs: number;
  /** A worker that lived this long resets the backoff. */
  readonly stableAfterMs: number;
}

export interface WatchdogContext extends WatchdogInput {
  readonly crashesInARow: number;
  readonly restarts: number;
}

export type WatchdogEvent =
  /** The worker answered a ping. */
  | { type: 'PONG' }
  /** The worker has started (its entry has run) and reads its messages. */
  | { type: 'READY' }
  /** The worker thread ended (crash, terminate). */
  | { type: 'EXITED'; code: number }
  /** The supervisor is shutting down: no restart any more. */
  | { type: 'STOP' };

export const watchdogMachine = setup({
  types: {
    context: {} as WatchdogContext,
    events: {} as WatchdogEvent,
    input: {} as WatchdogInput,
  },
  actions: {
    spawn: (_, _params: { restart: boolean }) => {},
    ping: () => {},
    terminate: () => {},
    /** A crash or a hang, for the log and the status. */
    report: (_, _params: { event: 'crashed' | 'hung'; code?: number }) => {},
    countCrash: assign(({ context }) => ({ crashesInARow: context.crashesInARow + 1 })),
    countRestart: assign(({ context }) => ({ restarts: context.restarts + 1 })),
    forgiveCrashes: assign({ crashesInARow: 0 }),
  },
  delays: {
    heartbeat: ({ context }) => context.heartbeatMs,
    hangAfter: ({ context }) => context.hangAfterMs,
    startLimit: ({ context }) => context.startLimitMs ?? context.hangAfterMs,
    stableAfter: ({ context }) => context.stableAfterMs,
    // Counted before the wait: the first crash waits restartDelayMs, the next twice that, and so on.
    backoff: ({ context }) => Math.min(context.maxRestartDelayMs, context.restartDelayMs * 2 ** Math.max(0, context.crashesInARow - 1)),
  },
}).createMachine({
  id: 'watchdog',
  context: ({ input }) => ({ ...input, crashesInARow: 0, restarts: 0 }),
  initial: 'running',
  states: {
    running: {
      type: 'parallel',
      entry: { type: 'spawn', params: ({ context }) => ({ restart: context.restarts > 0 }) },
      on: {
        EXITED: { target: 'backoff', actions: [{ type: 'report', params: ({ event }) => ({ event: 'crashed', code: event.code }) }, 'countCrash'] },
        STOP: 'stopped',
      },
      states: {
        heartbeat: {
          initial: 'waiting',
          states: {
            waiting: { after: { heartbeat: { target: 'waiting', reenter: true, actions: 'ping' } } },
          },
        },
        liveness: {
          initial: 'starting',
          states: {
            starting: {
              after: { startLimit: 'hung' },
              on: { READY: 'answering', PONG: 'answering' },
            },
            answering: {
              after: { hangAfter: 'hung' },
              on: { PONG: { target: 'answering', reenter: true } },
            },
            hung: {
              entry: [{ type: 'report', params: { event: 'hung' } }, 'terminate'],
            },
          },
        },
        stability: {
          initial: 'young',
          states: {
            young: { after: { stableAfter: { target: 'stable', actions: 'forgiveCrashes' } } },
            stable: {},
          },
        },
      },
    },
    backoff: {
      after: { backoff: { target: 'running', actions: 'countRestart' } },
      on: { STOP: 'stopped' },
    },
    stopped: { type: 'final' },
  },
});
