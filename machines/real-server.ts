/**
 * A real server (keepalived `real_server`): alive when every one of its checkers is up (keepalived counts
 * num_failed_checkers); its effective weight is the configured weight plus what MISC_CHECK misc_dynamic and
 * FILE_CHECK weights add. It tells its virtual server (the parent actor) about every change, and names its
 * notifications (`notify_up` / `notify_down`) as actions. An SNMP set of realServerWeight (keepalived
 * check_snmp.c → ipwrapper.c update_svr_wgt) makes the effective weight the value set; later checker offsets move it
 * from there, and a reload (RESET_WEIGHT, keepalived set_effective_weights) takes the configured weight again. No I/O.
 */
import { assign, sendParent, setup } from 'xstate';
import type { CheckerReport } from './checker.js';
import type { ProbeWeight } from './checker-logic.js';

export interface RealServerInput {
  readonly key: string;
  /** Configured weight (keepalived iweight). */
  readonly weight: number;
  /** The checkers and the state each starts in (up unless alpha). */
  readonly checkers: readonly { readonly id: string; readonly up: boolean }[];
  /** global_defs rs_init_notifies: a server alive at start runs its notify_up then (keepalived init_service_rs). */
  readonly notifyInitialUp?: boolean;
}

interface CheckerState {
  readonly up: boolean;
  readonly weight: ProbeWeight | undefined;
}

export interface RealServerContext {
  readonly key: string;
  readonly configuredWeight: number;
  readonly checkers: Readonly<Record<string, CheckerState>>;
  /** Configured weight plus checker offsets (keepalived effective_weight), clamped to the IPVS range. */
  readonly weight: number;
  /** What an SNMP set added to the configured weight (0: none since the start or the last reload). */
  readonly adjustment: number;
  readonly notifyInitialUp: boolean;
}

export type RealServerEvent =
  | { type: 'CHECKER'; report: CheckerReport }
  /** The daemon stops: with omega, a live server's notify_down runs. */
  | { type: 'SHUTDOWN'; omega: boolean }
  /** An SNMP set of realServerWeight: the effective weight becomes `weight`. */
  | { type: 'SET_WEIGHT'; weight: number }
  /** A reload: the configured weight (and the checkers' offsets) again, without what SNMP set. */
  | { type: 'RESET_WEIGHT' };

/** What the virtual server hears. */
export interface RealServerStateEvent {
  readonly type: 'RS_STATE';
  readonly key: string;
  readonly alive: boolean;
  readonly weight: number;
}

const WEIGHT_LIMIT = 0x7fffffff;

/** keepalived real_weight(): the effective weight clamped to what IPVS accepts. */
export function realWeight(effective: number): number {
  return Math.max(0, Math.min(WEIGHT_LIMIT, effective));
}

/**
 * keepalived's effective weight: misc_dynamic sets cur_weight = (status − 2) − iweight, FILE_CHECK adds its
 * value; the sum of every checker's offset is added to the configured weight.
 */
export function effectiveWeight(configured: number, checkers: Readonly<Record<string, CheckerState>>, adjustment = 0): number {
  return realWeight(unclampedWeight(configured, checkers) + adjustment);
}

function unclampedWeight(configured: number, checkers: Readonly<Record<string, CheckerState>>): number {
  let total = configured;
  for (const c of Object.values(checkers)) {
    if (c.weight === undefined) continue;
    total += c.weight.kind === 'absolute' ? c.weight.value - configured : c.weight.value;
  }
  return total;
}

function allUp(context: RealServerContext): boolean {
  return Object.values(context.checkers).every((c) => c.up);
}

const rsSetup = setup({
  types: {
    context: {} as RealServerContext,
    events: {} as RealServerEvent,
    input: {} as RealServerInput,
  },
  actions: {
    /** keepalived notify_up (and the notify FIFO "RS … UP"). */
    notifyUp: (_, _params: { key: string }) => {},
    /** keepalived notify_down. */
    notifyDown: (_, _params: { key: string }) => {},
    /**
     * vigil stops, without omega, while this server is alive: no script, but keepalived still sends its SNMP
     * notification (ipwrapper.c clear_service_rs: "We always want to send SNMP messages on shutdown").
     */
    notifyStopped: (_, _params: { key: string }) => {},
    tellAlive: sendParent(({ context }): RealServerStateEvent => ({ type: 'RS_STATE', key: context.key, alive: true, weight: context.weight })),
    tellFailed: sendParent(({ context }): RealServerStateEvent => ({ type: 'RS_STATE', key: context.key, alive: false, weight: context.weight })),
    applyReport: assign(({ context, event }) => {
      if (event.type !== 'CHECKER') return {};
      const { report } = event;
      const checkers = { ...context.checkers, [report.id]: { up: report.up, weight: report.weight } };
      return { checkers, weight: effectiveWeight(context.configuredWeight, checkers, context.adjustment) };
    }),
    applyWeight: assign(({ context, event }) => {
      if (event.type !== 'SET_WEIGHT' && event.type !== 'RESET_WEIGHT') return {};
      const adjustment = event.type === 'SET_WEIGHT' ? event.weight - unclampedWeight(context.configuredWeight, context.checkers) : 0;
      return { adjustment, weight: effectiveWeight(context.configuredWeight, context.checkers, adjustment) };
    }),
  },
  guards: {
    allCheckersUp: ({ context }) => allUp(context),
    someCheckerDown: ({ context }) => !allUp(context),
    /** keepalived update_svr_checker_state: a first result equal to the start state still notifies when DOWN. */
    firstFailure: ({ event }) => event.type === 'CHECKER' && event.report.firstRun && !event.report.up,
    omega: ({ event }) => event.type === 'SHUTDOWN' && event.omega,
    aliveAndNotified: ({ context }) => context.notifyInitialUp && allUp(context),
    /** The report would change the effective weight (misc_dynamic, FILE_CHECK). */
    changesWeight: ({ context, event }) => {
      if (event.type !== 'CHECKER') return false;
      const checkers = { ...context.checkers, [event.report.id]: { up: event.report.up, weight: event.report.weight } };
      return effectiveWeight(context.configuredWeight, checkers, context.adjustment) !== context.weight;
    },
    /** The set (or the reset) changes the effective weight. */
    setChangesWeight: ({ context, event }) => {
      if (event.type === 'SET_WEIGHT') return realWeight(event.weight) !== context.weight;
      return event.type === 'RESET_WEIGHT' && effectiveWeight(context.configuredWeight, context.checkers) !== context.weight;
    },
  },
});

export const realServerMachine = rsSetup.createMachine({
  id: 'realServer',
  context: ({ input }) => {
    const checkers: Record<string, CheckerState> = {};
    for (const c of input.checkers) checkers[c.id] = { up: c.up, weight: undefined };
    return { key: input.key, configuredWeight: input.weight, checkers, weight: effectiveWeight(input.weight, checkers), adjustment: 0, notifyInitialUp: input.notifyInitialUp ?? false };
  },
  initial: 'start',
  states: {
    start: {
      always: [
        { guard: 'aliveAndNotified', target: 'alive', actions: { type: 'notifyUp', params: ({ context }) => ({ key: context.key }) } },
        { guard: 'allCheckersUp', target: 'alive' },
        { target: 'failed' },
      ],
    },
    alive: {
      always: {
        guard: 'someCheckerDown',
        target: 'failed',
        actions: ['tellFailed', { type: 'notifyDown', params: ({ context }) => ({ key: context.key }) }],
      },
      on: {
        // A weight change of a live server reaches the pool (and the quorum) at once.
        CHECKER: [{ guard: 'changesWeight', actions: ['applyReport', 'tellAlive'] }, { actions: 'applyReport' }],
        // keepalived update_svr_wgt(…, update_quorum true): the pool and the quorum follow at once.
        SET_WEIGHT: { guard: 'setChangesWeight', actions: ['applyWeight', 'tellAlive'] },
        RESET_WEIGHT: { guard: 'setChangesWeight', actions: ['applyWeight', 'tellAlive'] },
        SHUTDOWN: [
          { guard: 'omega', target: 'stopped', actions: { type: 'notifyDown', params: ({ context }) => ({ key: context.key }) } },
          { target: 'stopped', actions: { type: 'notifyStopped', params: ({ context }) => ({ key: context.key }) } },
        ],
      },
    },
    failed: {
      always: {
        guard: 'allCheckersUp',
        target: 'alive',
        actions: ['tellAlive', { type: 'notifyUp', params: ({ context }) => ({ key: context.key }) }],
      },
      on: {
        CHECKER: [
          { guard: 'firstFailure', actions: ['applyReport', { type: 'notifyDown', params: ({ context }) => ({ key: context.key }) }] },
          { actions: 'applyReport' },
        ],
        // A failed server's weight takes effect when it comes back; its virtual server shows it at once.
        SET_WEIGHT: { guard: 'setChangesWeight', actions: ['applyWeight', 'tellFailed'] },
        RESET_WEIGHT: { guard: 'setChangesWeight', actions: ['applyWeight', 'tellFailed'] },
        SHUTDOWN: { target: 'stopped' },
      },
    },
    stopped: { type: 'final' },
  },
});
