/**
 * A `vrrp_sync_group` (keepalived.conf(5)): its members change state together. One member in FAULT holds every
 * member in FAULT until no member has a fault of its own; one member becoming MASTER makes all MASTER; one member
 * falling back to BACKUP makes all BACKUP. Pure: the runtime reports member states and binds `driveMembers`.
 *
 * A group starts from its members' states as they are when it is made (at start, before they leave INIT; at a
 * reload, as they run), as keepalived's vrrp_complete_init does: FAULT when a member has a fault of its own,
 * MASTER when every member is MASTER, else BACKUP. Entering BACKUP it frees the members an earlier group held in
 * FAULT and brings its masters back to BACKUP (keepalived vrrp_init_state: each member takes its group's state).
 * A group whose members are all address owners about to start (INIT, priority 255) starts MASTER, as they will be
 * at once (keepalived vrrp_sync_set_group): it is never BACKUP, so nothing is told of it then.
 */
import { assign, enqueueActions, setup } from 'xstate';
import type { VrrpStateName } from './vrrp-instance.js';

export interface SyncGroupInput {
  readonly name: string;
  readonly members: readonly string[];
  /** The members' states when the group is made (a member not named here: INIT, no fault). */
  readonly initial?: Readonly<Record<string, MemberStatus>> | undefined;
  /** The members that are address owners (priority 255). */
  readonly owners?: readonly string[] | undefined;
}

export interface MemberStatus {
  readonly state: VrrpStateName;
  /** The member's own fault (a tracked object or its interface), as opposed to one the group imposed. */
  readonly selfFault: boolean;
}

export interface SyncGroupContext {
  readonly name: string;
  readonly members: Readonly<Record<string, MemberStatus>>;
  /** Whether every member is an address owner. */
  readonly allOwners: boolean;
}

export type SyncGroupEvent = { type: 'MEMBER_STATE'; member: string; state: VrrpStateName; selfFault: boolean };

export type SyncDirective = 'MASTER' | 'BACKUP' | 'FAULT' | 'CLEAR';

function anySelfFault(context: SyncGroupContext): boolean {
  return Object.values(context.members).some((m) => m.selfFault);
}

/** Every member an address owner not started yet: each becomes MASTER at once, so the group starts there. */
function ownersStarting(context: SyncGroupContext): boolean {
  return context.allOwners && Object.values(context.members).every((m) => m.state === 'INIT');
}

function allMaster(context: SyncGroupContext): boolean {
  const members = Object.values(context.members);
  return members.length > 0 && members.every((m) => m.state === 'MASTER');
}

export const syncGroupMachine = setup({
  types: {
    context: {} as SyncGroupContext,
    events: {} as SyncGroupEvent,
    input: {} as SyncGroupInput,
  },
  actions: {
    /**
     * Send SYNC { state } to every member. The member that caused it is already there (a no-op for it), and a
     * CLEAR must reach every member that the group held in FAULT, the last one to recover included.
     */
    driveMembers: (_, _params: { state: SyncDirective }) => {},
    record: assign(({ context, event }) => ({
      members: { ...context.members, [event.member]: { state: event.state, selfFault: event.selfFault } },
    })),
  },
  guards: {
    memberFaulted: ({ event }) => event.selfFault,
    memberMaster: ({ event }) => event.state === 'MASTER',
    memberBackup: ({ event }) => event.state === 'BACKUP',
    noSelfFault: ({ context }) => !anySelfFault(context),
    anySelfFault: ({ context }) => anySelfFault(context),
    allMaster: ({ context }) => allMaster(context),
    ownersStarting: ({ context }) => ownersStarting(context),
  },
}).createMachine({
  id: 'syncGroup',
  initial: 'made',
  context: ({ input }) => {
    const members: Record<string, MemberStatus> = {};
    for (const name of input.members) members[name] = input.initial?.[name] ?? { state: 'INIT', selfFault: false };
    const owners = new Set(input.owners ?? []);
    return { name: input.name, members, allOwners: input.members.length > 0 && input.members.every((m) => owners.has(m)) };
  },
  states: {
    /** Transient: the group's first state, from its members' (keepalived vrrp_complete_init). */
    made: {
      always: [
        { guard: 'anySelfFault', target: 'FAULT', actions: { type: 'driveMembers', params: { state: 'FAULT' } } },
        { guard: 'allMaster', target: 'MASTER' },
        { guard: 'ownersStarting', target: 'MASTER' },
        {
          target: 'BACKUP',
          // Members held in FAULT by an earlier group are freed; masters step back to BACKUP.
          actions: enqueueActions(({ context, enqueue }) => {
            const members = Object.values(context.members);
            if (members.some((m) => m.state === 'FAULT' && !m.selfFault)) enqueue({ type: 'driveMembers', params: { state: 'CLEAR' } });
            if (members.some((m) => m.state === 'MASTER')) enqueue({ type: 'driveMembers', params: { state: 'BACKUP' } });
          }),
        },
      ],
    },
    BACKUP: {
      on: {
        MEMBER_STATE: [
          { guard: 'memberFaulted', target: 'FAULT', actions: ['record', { type: 'driveMembers', params: { state: 'FAULT' } }] },
          { guard: 'memberMaster', target: 'MASTER', actions: ['record', { type: 'driveMembers', params: { state: 'MASTER' } }] },
          { actions: 'record' },
        ],
      },
    },
    MASTER: {
      on: {
        MEMBER_STATE: [
          { guard: 'memberFaulted', target: 'FAULT', actions: ['record', { type: 'driveMembers', params: { state: 'FAULT' } }] },
          { guard: 'memberBackup', target: 'BACKUP', actions: ['record', { type: 'driveMembers', params: { state: 'BACKUP' } }] },
          { actions: 'record' },
        ],
      },
    },
    FAULT: {
      always: { guard: 'noSelfFault', target: 'BACKUP', actions: { type: 'driveMembers', params: { state: 'CLEAR' } } },
      on: {
        MEMBER_STATE: { actions: 'record' },
      },
    },
  },
});
