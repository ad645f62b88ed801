/**
 * A virtual server (keepalived `virtual_server`): its real servers are child actors; it keeps their liveness and
 * weights, the quorum state (keepalived ipwrapper.c update_quorum_state), and whether its checkers run
 * (`ha_suspend`: only while the owning VRRP instance is MASTER). Every change that can alter the pool runs the
 * named action `publish`; the runtime turns the snapshot into the load balancer's desired state with
 * desiredServices() (./virtual-server-pool.ts). No I/O.
 *
 * Quorum: the sum of live weights must reach quorum + hysteresis to gain it, and falls below quorum − hysteresis
 * (or to 0) to lose it. The start state is computed without notification, except that a virtual server with a
 * sorry server that starts without quorum notifies quorum_down (keepalived init_service_vs).
 */
import { and, assign, setup } from 'xstate';
import type { CheckerReport } from './checker.js';
import { realServerMachine, type RealServerInput, type RealServerStateEvent } from './real-server.js';
import type { MemberState, PoolConfig } from './virtual-server-pool.js';

export interface VirtualServerInput extends PoolConfig {
  readonly key: string;
  readonly quorum: number;
  readonly hysteresis: number;
  readonly omega: boolean;
  readonly haSuspend: boolean;
  /** Whether the owning VRRP instance is MASTER at start (ha_suspend). */
  readonly masterAtStart: boolean;
  readonly realServerInputs: readonly RealServerInput[];
}

export interface VirtualServerContext {
  readonly input: VirtualServerInput;
  /**
   * Liveness and weight per real server. Updated in place (one entry per RS_STATE), so that a burst of changes
   * over thousands of real servers costs O(1) each rather than a copy of the table each.
   */
  readonly members: Readonly<Record<string, MemberState>>;
  /** Sum of live weights (keepalived weigh_live_realservers), kept up to date with `members`. */
  readonly liveWeight: number;
  /** Mirrors the quorum region, for desiredServices(). */
  readonly quorumUp: boolean;
}

export type VirtualServerEvent =
  | RealServerStateEvent
  /** A checker of real server `rs` reported. */
  | { type: 'CHECKER'; rs: string; report: CheckerReport }
  /** The owning VRRP instance's state (ha_suspend). */
  | { type: 'VRRP'; master: boolean }
  /** An SNMP set of real server `rs`'s weight (realServerWeight). */
  | { type: 'SET_WEIGHT'; rs: string; weight: number }
  /** A reload that keeps this virtual server: every real server's configured weight again. */
  | { type: 'RESET_WEIGHTS' }
  /** The daemon stops. */
  | { type: 'SHUTDOWN' }
  /** Internal: the real servers have heard SHUTDOWN; the quorum's turn. */
  | { type: 'QUORUM_SHUTDOWN' };

/** keepalived weigh_live_realservers(). */
export function liveWeight(members: Readonly<Record<string, MemberState>>): number {
  let sum = 0;
  for (const m of Object.values(members)) if (m.alive) sum += m.weight;
  return sum;
}

function initialMembers(input: VirtualServerInput): Record<string, MemberState> {
  const members: Record<string, MemberState> = {};
  for (const rs of input.realServerInputs) members[rs.key] = { alive: rs.checkers.every((c) => c.up), weight: rs.weight };
  return members;
}

const vsSetup = setup({
  types: {
    context: {} as VirtualServerContext,
    events: {} as VirtualServerEvent,
    input: {} as VirtualServerInput,
  },
  actors: { realServer: realServerMachine },
  actions: {
    /** The pool may have changed: push desiredServices(context) to the load balancer. */
    publish: () => {},
    /** keepalived quorum_up script (and notify FIFO "VS … UP"). */
    notifyQuorumUp: (_, _params: { key: string }) => {},
    notifyQuorumDown: (_, _params: { key: string }) => {},
    /** vigil stops and no quorum_down runs: keepalived still sends its SNMP notification (update_vs_notifies). */
    notifyQuorumStopped: (_, _params: { key: string }) => {},
    /** ha_suspend: stop / start probing this virtual server's checkers (they keep their state). */
    suspendCheckers: (_, _params: { key: string }) => {},
    resumeCheckers: (_, _params: { key: string }) => {},
    applyMember: assign(({ context, event }) => {
      if (event.type !== 'RS_STATE') return {};
      const members = context.members as Record<string, MemberState>;
      const before = members[event.key];
      const contribution = (m: MemberState | undefined): number => (m?.alive ? m.weight : 0);
      const after: MemberState = { alive: event.alive, weight: event.weight };
      members[event.key] = after;
      return { liveWeight: context.liveWeight - contribution(before) + contribution(after) };
    }),
    setQuorumUp: assign({ quorumUp: true }),
    setQuorumDown: assign({ quorumUp: false }),
  },
  guards: {
    startsWithQuorum: ({ context }) => context.liveWeight >= context.input.quorum + context.input.hysteresis,
    hasSorryServer: ({ context }) => context.input.sorryServer !== undefined,
    quorumGained: ({ context }) => context.liveWeight >= context.input.quorum + context.input.hysteresis,
    quorumLost: ({ context }) => {
      const sum = context.liveWeight;
      return sum === 0 || sum < context.input.quorum - context.input.hysteresis;
    },
    suspendedAtStart: ({ context }) => context.input.haSuspend && !context.input.masterAtStart,
    haSuspend: ({ context }) => context.input.haSuspend,
    vrrpMaster: ({ event }) => event.type === 'VRRP' && event.master,
    vrrpNotMaster: ({ event }) => event.type === 'VRRP' && !event.master,
    omegaWithQuorum: ({ context }) => context.input.omega && context.quorumUp,
  },
});

const key = ({ context }: { context: VirtualServerContext }): { key: string } => ({ key: context.input.key });

export const virtualServerMachine = vsSetup.createMachine({
  id: 'virtualServer',
  context: ({ input, spawn }) => {
    // Spawned here rather than by entry actions: XState copies the children table for each spawnChild action,
    // which is quadratic over thousands of real servers; the context spawner adds them in place.
    for (const rs of input.realServerInputs) spawn('realServer', { id: rs.key, input: rs });
    const members = initialMembers(input);
    return { input, members, liveWeight: liveWeight(members), quorumUp: true };
  },
  initial: 'running',
  states: {
    running: {
      type: 'parallel',
      on: {
        RS_STATE: { actions: ['applyMember', 'publish'] },
        CHECKER: {
          actions: vsSetup.enqueueActions(({ event, enqueue }) => {
            if (event.type === 'CHECKER') enqueue.sendTo(event.rs, { type: 'CHECKER', report: event.report });
          }),
        },
        SET_WEIGHT: {
          actions: vsSetup.enqueueActions(({ event, enqueue }) => {
            if (event.type === 'SET_WEIGHT') enqueue.sendTo(event.rs, { type: 'SET_WEIGHT', weight: event.weight });
          }),
        },
        RESET_WEIGHTS: {
          actions: vsSetup.enqueueActions(({ context, enqueue }) => {
            for (const rs of context.input.realServerInputs) enqueue.sendTo(rs.key, { type: 'RESET_WEIGHT' });
          }),
        },
        SHUTDOWN: { target: 'stopped' },
      },
      states: {
        quorum: {
          initial: 'start',
          states: {
            start: {
              always: [
                { guard: 'startsWithQuorum', target: 'up' },
                { guard: 'hasSorryServer', target: 'down', actions: ['setQuorumDown', { type: 'notifyQuorumDown', params: key }] },
                { target: 'down', actions: 'setQuorumDown' },
              ],
            },
            up: {
              always: {
                guard: 'quorumLost',
                target: 'down',
                actions: ['setQuorumDown', 'publish', { type: 'notifyQuorumDown', params: key }],
              },
            },
            down: {
              always: {
                guard: 'quorumGained',
                target: 'up',
                actions: ['setQuorumUp', 'publish', { type: 'notifyQuorumUp', params: key }],
              },
            },
          },
        },
        checkers: {
          initial: 'start',
          states: {
            start: {
              always: [{ guard: 'suspendedAtStart', target: 'suspended' }, { target: 'active' }],
            },
            active: {
              on: { VRRP: { guard: and(['haSuspend', 'vrrpNotMaster']), target: 'suspended' } },
            },
            suspended: {
              entry: { type: 'suspendCheckers', params: key },
              exit: { type: 'resumeCheckers', params: key },
              on: { VRRP: { guard: 'vrrpMaster', target: 'active' } },
            },
          },
        },
      },
    },
    /** Not final: the children must still receive SHUTDOWN; the runtime stops the actor afterwards. */
    stopped: {
      entry: vsSetup.enqueueActions(({ context, enqueue, self }) => {
        // keepalived clear_service_vs(stopping): the real servers first (with omega, live ones notify down),
        // then the quorum. The self-addressed event is handled after the children have handled theirs.
        for (const rs of context.input.realServerInputs) enqueue.sendTo(rs.key, { type: 'SHUTDOWN', omega: context.input.omega });
        enqueue.sendTo(self, { type: 'QUORUM_SHUTDOWN' });
      }),
      on: {
        QUORUM_SHUTDOWN: [
          { guard: 'omegaWithQuorum', actions: { type: 'notifyQuorumDown', params: key } },
          { actions: { type: 'notifyQuorumStopped', params: key } },
        ],
      },
    },
  },
});
