/**
 * The VRRP instance state machine: RFC 5798 §6.4 (and RFC 3768 §6.4 for v2) with keepalived's behaviour where it
 * differs (see docs/vrrp-checklist.md). Pure: no I/O and no clock of its own. Side effects are named actions,
 * and the two protocol timers (Adver_Timer, Master_Down_Timer) and the master's gratuitous ARP schedule are named
 * invoked actors; the runtime binds them to its transports and clock with `machine.provide`
 * (machines/vrrp-timers.ts, machines/garp-timer.ts). preempt_delay is a named delay.
 *
 * State keys are keepalived's state names, so a snapshot's value is what keepalived would print.
 */
import { and, assign, fromCallback, not, or, sendTo, setup, stateIn } from 'xstate';
import type { VrrpVersion } from '../protocol/vrrp-types.js';
import { effectivePriority, OWNER_PRIORITY, trackersFault, type TrackerState } from './vrrp-priority.js';
import { csToMs, masterDownMicros, microsToMs, skewMicros } from './vrrp-timing.js';
import type { MasterDownRestart } from './vrrp-timers.js';
import { announcementsAtOnce, garpScheduleOf, lowerPriorityAtOnce, type GarpLowerPriority, type GarpSchedule } from './garp-timer.js';

export type VrrpStateName = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'STOP';

/**
 * Why the instance last became master (RFC 6527 vrrpv3StatisticsNewMasterReason), as keepalived records it
 * (vrrp.c, vrrp_scheduler.c): `priority` after a priority-0 advertisement, `preempted` for the address owner or
 * after discarding a lower priority, `masterNoResponse` when Master_Down_Interval ran out; `notMaster` until the
 * first time. Like keepalived's it stays after the instance leaves MASTER.
 */
export type MasterReason = 'notMaster' | 'priority' | 'preempted' | 'masterNoResponse';

/** What the machine needs of a `vrrp_instance` (keepalived.conf(5)); the garp_master_* settings among them. */
export interface VrrpInstanceParams extends GarpSchedule {
  readonly name: string;
  readonly vrid: number;
  readonly version: VrrpVersion;
  /** Configured priority: 255 = address owner, else 1..254. */
  readonly priority: number;
  /** `advert_int` in centiseconds (RFC 5798 Advertisement_Interval). */
  readonly advertIntervalCs: number;
  /** false with `nopreempt`. */
  readonly preempt: boolean;
  /** `preempt_delay` in milliseconds (0 = none). */
  readonly preemptDelayMs: number;
  /** keepalived `lower_prio_no_advert`: do not answer a lower-priority advertisement at once. */
  readonly lowerPrioNoAdvert: boolean;
  /** keepalived `higher_prio_send_advert`: a master hearing a higher priority advertises once before it steps down. */
  readonly higherPrioSendAdvert: boolean;
  /** keepalived `down_timer_adverts`: advertisement intervals in Master_Down_Interval (the RFCs' 3). */
  readonly downTimerAdverts: number;
}

/** A tracked object (track_interface/script/file/process) as the machine sees it. */
export interface TrackerInput {
  readonly id: string;
  /** 0 = FAULT while down; >0 added while up; <0 added while down. */
  readonly weight: number;
  /** keepalived's `weight … reverse`: the opposite adjustment, and weight 0 = FAULT while up (machines/vrrp-priority.ts). */
  readonly reverse?: boolean | undefined;
  readonly up: boolean;
  /** track_file: the number last read from the file (machines/vrrp-priority.ts). */
  readonly value?: number | undefined;
}

export interface VrrpInstanceInput {
  readonly params: VrrpInstanceParams;
  readonly trackers: readonly TrackerInput[];
  /**
   * The node started less than global_defs vrrp_startup_delay ago (keepalived vrrp_delayed_start_time): the
   * address owner then waits for the end of the delay (its Master_Down_Timer of 0, bound to start no earlier)
   * instead of becoming master at once. Backups wait through their Master_Down_Timer, which the runtime holds to
   * the same end (machines/vrrp-timers.ts `notBefore`).
   */
  readonly startupDelayed?: boolean;
  /**
   * The state of the instance this one replaces at a reload (keepalived restore_vrrp_state): a master starts as
   * master again, without garp_master_delay's burst (keepalived sends it on becoming master only).
   */
  readonly resume?: VrrpStateName | undefined;
}

export interface VrrpInstanceContext {
  readonly params: VrrpInstanceParams;
  readonly trackers: Readonly<Record<string, TrackerState>>;
  readonly effectivePriority: number;
  /** Master_Adver_Interval in centiseconds: learnt from the master in v3 (RFC 5798 §6.4.2). */
  readonly masterAdverIntervalCs: number;
  /** Source address of the master we last accepted, if any. */
  readonly masterAddress: string | undefined;
  /** Set while the sync group holds this member in FAULT. */
  readonly syncFault: boolean;
  /** See VrrpInstanceInput.startupDelayed. */
  readonly startupDelayed: boolean;
  /** Why the instance would become master next (keepalived next_master_reason), and why it last did. */
  readonly nextMasterReason: MasterReason;
  readonly masterReason: MasterReason;
  /** See VrrpInstanceInput.resume; forgotten when the instance first leaves MASTER. */
  readonly resume: VrrpStateName | undefined;
}

export type VrrpInstanceEvent =
  | { type: 'START' }
  /** Graceful shutdown (RFC 5798 §6.4.3 "Shutdown"). */
  | { type: 'STOP' }
  /**
   * An advertisement that passed the receive checks (RFC 5798 §7.1). `sourceIsHigher` tells whether its source
   * address is greater than our primary address, for the equal-priority tie-break (RFC 5798 §6.4.3).
   */
  | { type: 'ADVERTISEMENT'; priority: number; intervalCs: number; source: string; sourceIsHigher: boolean }
  /**
   * A tracked object's status. A track_file also reports the number in its file (`value`): it then counts
   * value × weight, or FAULT for a non-zero value with weight 0 (keepalived vrrp_track_file).
   */
  | { type: 'TRACK'; id: string; up: boolean; value?: number }
  /** From the sync group: drive this member to a state, or lift a group FAULT. */
  | { type: 'SYNC'; state: 'MASTER' | 'BACKUP' | 'FAULT' | 'CLEAR' }
  /** From the Master_Down_Timer actor: Master_Down_Interval passed without an accepted advertisement. */
  | { type: 'MASTER_DOWN' }
  /**
   * Another member of this instance's sync group, master, heard a lower priority: keepalived
   * (vrrp_state_master_rx) sends this member's garp_lower_prio_repeat burst too, and its repeat after the delay.
   */
  | { type: 'GROUP_LOWER_PRIORITY' }
  /**
   * An SNMP set of vrrpInstanceBasePriority / vrrpInstancePreempt (keepalived vrrp_snmp.c): the configured priority
   * (the effective one follows, with the tracked objects' weights) or Preempt_Mode changes from now on.
   */
  | { type: 'SET_PRIORITY'; priority: number }
  | { type: 'SET_PREEMPT'; preempt: boolean };

function isOwner(context: VrrpInstanceContext): boolean {
  return context.params.priority === OWNER_PRIORITY;
}

function isFaulted(context: VrrpInstanceContext): boolean {
  return context.syncFault || trackersFault(context.trackers);
}

function trackersFromInput(trackers: readonly TrackerInput[]): Record<string, TrackerState> {
  const out: Record<string, TrackerState> = {};
  for (const t of trackers) {
    out[t.id] = {
      weight: t.weight,
      ...(t.reverse ? { reverse: true } : {}),
      up: t.up,
      ...(t.value !== undefined ? { value: t.value } : {}),
    };
  }
  return out;
}

export function masterDownMs(context: VrrpInstanceContext): number {
  const { version } = context.params;
  return microsToMs(masterDownMicros(version, context.effectivePriority, context.masterAdverIntervalCs, context.params.downTimerAdverts));
}

export function skewMs(context: VrrpInstanceContext): number {
  const { version } = context.params;
  return microsToMs(skewMicros(version, context.effectivePriority, context.masterAdverIntervalCs));
}

export const vrrpInstanceMachine = setup({
  types: {
    context: {} as VrrpInstanceContext,
    events: {} as VrrpInstanceEvent,
    input: {} as VrrpInstanceInput,
  },
  actors: {
    /**
     * The two timers of RFC 5798 §6.4 are invoked actors; like the actions below they are bound to the runtime's
     * clock with `machine.provide({ actors: vrrpTimers(clock, …) })` (machines/vrrp-timers.ts).
     * Master_Down_Timer: sends MASTER_DOWN when Master_Down_Interval passes; RESTART moves its deadline.
     */
    masterDownTimer: fromCallback<MasterDownRestart, { delayMs: number }>(() => undefined),
    /** Adver_Timer: sends an advertisement every Advertisement_Interval while invoked. */
    adverTimer: fromCallback<{ type: 'NONE' }, { intervalMs: number }>(() => undefined),
    /**
     * The master's later gratuitous ARPs / unsolicited NAs (garp_master_delay, _refresh, the interval, garp_extra_if);
     * LOWER_PRIORITY adds the lower-priority bursts (garp_lower_prio_repeat and _delay).
     */
    garpTimer: fromCallback<GarpLowerPriority, GarpSchedule>(() => undefined),
  },
  actions: {
    /** Send an advertisement with the effective priority. */
    sendAdvertisement: () => {},
    /** Send an advertisement with priority 0: "the master is leaving" (RFC 5798 §6.4.3). */
    sendPriorityZero: () => {},
    addVirtualAddresses: () => {},
    removeVirtualAddresses: () => {},
    /**
     * `count` rounds of gratuitous ARP / unsolicited NA for the virtual addresses: the ones due at once of a
     * garp_master_repeat burst; the garpTimer actor sends the rest.
     */
    announce: (_, _params: { count: number }) => {},
    /**
     * keepalived vrrp_state_master_rx on a lower priority: garp_lower_prio_repeat announcements, those due at once
     * by `announce`, the rest and the repeat after garp_lower_prio_delay by the GARP schedule (its refresh goes on).
     */
    lowerPriorityGarps: sendTo('garpTimer', { type: 'LOWER_PRIORITY' } satisfies GarpLowerPriority),
    /** notify_master / notify_backup / notify_fault / notify_stop and `notify`. */
    notify: (_, _params: { state: VrrpStateName }) => {},
    learnMaster: assign(({ context, event }) => {
      if (event.type !== 'ADVERTISEMENT') return {};
      // RFC 5798 §6.4.2: a v3 backup sets Master_Adver_Interval to the advertisement's Max Adver Int.
      // RFC 3768 has no such learning: v2 intervals must match (checked on receive).
      const masterAdverIntervalCs = context.params.version === 3 ? event.intervalCs : context.masterAdverIntervalCs;
      return { masterAdverIntervalCs, masterAddress: event.source };
    }),
    /** An accepted advertisement restarts Master_Down_Timer (RFC 5798 §6.4.2), with the interval just learnt. */
    restartMasterDown: sendTo('masterDownTimer', ({ context }): MasterDownRestart => ({ type: 'RESTART', delayMs: masterDownMs(context) })),
    resetMasterToOwnInterval: assign(({ context }) => ({
      masterAdverIntervalCs: context.params.advertIntervalCs,
      masterAddress: undefined,
      nextMasterReason: 'masterNoResponse' as const,
    })),
    /** keepalived's next_master_reason, set by what a backup hears (vrrp.c vrrp_state_backup). */
    nextReason: assign((_, params: { reason: MasterReason }) => ({ nextMasterReason: params.reason })),
    becomeMasterReason: assign(({ context }) => ({ masterReason: context.nextMasterReason })),
    forgetResume: assign({ resume: undefined }),
    applyTrack: assign(({ context, event }) => {
      if (event.type !== 'TRACK') return {};
      const current = context.trackers[event.id];
      if (!current || (current.up === event.up && current.value === event.value)) return {};
      const { value: _, ...kept } = current;
      const next: TrackerState = event.value === undefined ? { ...kept, up: event.up } : { ...kept, up: event.up, value: event.value };
      const trackers = { ...context.trackers, [event.id]: next };
      return { trackers, effectivePriority: effectivePriority(context.params.priority, trackers) };
    }),
    applySetting: assign(({ context, event }) => {
      if (event.type === 'SET_PRIORITY') {
        const params = { ...context.params, priority: event.priority };
        return { params, effectivePriority: effectivePriority(event.priority, context.trackers) };
      }
      if (event.type === 'SET_PREEMPT') return { params: { ...context.params, preempt: event.preempt } };
      return {};
    }),
    applySync: assign(({ event }) => {
      if (event.type !== 'SYNC') return {};
      if (event.state === 'FAULT') return { syncFault: true };
      if (event.state === 'CLEAR') return { syncFault: false };
      return {};
    }),
  },
  guards: {
    isOwner: ({ context }) => isOwner(context),
    faulted: ({ context }) => isFaulted(context),
    healthy: ({ context }) => !isFaulted(context),
    healthyOwner: ({ context }) => !isFaulted(context) && isOwner(context),
    priorityZero: ({ event }) => event.type === 'ADVERTISEMENT' && event.priority === 0,
    /**
     * Backup keeps the sender as master (RFC 5798 §6.4.2): Preempt_Mode false, or its priority ≥ ours. With
     * keepalived's preempt_delay, a lower-priority master is also kept until the delay has run out.
     */
    backupAccepts: or(['notPreemptingOrNotLower', and(['hasPreemptDelay', not(stateIn('#preemptExpired'))])]),
    hasPreemptDelay: ({ context }) => context.params.preemptDelayMs > 0,
    notPreemptingOrNotLower: ({ context, event }) =>
      event.type === 'ADVERTISEMENT' && (!context.params.preempt || event.priority >= context.effectivePriority),
    /** Master yields (RFC 5798 §6.4.3): higher priority, or equal priority from a higher primary address. */
    senderWins: ({ context, event }) => {
      if (event.type !== 'ADVERTISEMENT') return false;
      return event.priority > context.effectivePriority || (event.priority === context.effectivePriority && event.sourceIsHigher);
    },
    forceElection: ({ context }) => !context.params.lowerPrioNoAdvert,
    lowerPrioGarps: ({ context }) => context.params.garpLowerPrioRepeat > 0,
    higherPrioSendAdvert: ({ context }) => context.params.higherPrioSendAdvert,
    ownerStartupDelayed: ({ context }) => isOwner(context) && context.startupDelayed,
    resumesMaster: ({ context }) => context.resume === 'MASTER',
    syncMaster: ({ event }) => event.type === 'SYNC' && event.state === 'MASTER',
    syncBackup: ({ event }) => event.type === 'SYNC' && event.state === 'BACKUP',
    lowerPriorityWhilePreempting: ({ context, event }) =>
      event.type === 'ADVERTISEMENT' &&
      context.params.preempt &&
      context.params.preemptDelayMs > 0 &&
      event.priority > 0 &&
      event.priority < context.effectivePriority,
  },
  delays: {
    preemptDelay: ({ context }) => context.params.preemptDelayMs,
  },
}).createMachine({
  id: 'vrrp',
  initial: 'INIT',
  context: ({ input }) => {
    const trackers = trackersFromInput(input.trackers);
    return {
      params: input.params,
      trackers,
      effectivePriority: effectivePriority(input.params.priority, trackers),
      masterAdverIntervalCs: input.params.advertIntervalCs,
      masterAddress: undefined,
      syncFault: false,
      startupDelayed: input.startupDelayed ?? false,
      nextMasterReason: 'masterNoResponse',
      masterReason: 'notMaster',
      resume: input.resume,
    };
  },
  on: {
    TRACK: { actions: 'applyTrack' },
    SET_PRIORITY: { actions: 'applySetting' },
    SET_PREEMPT: { actions: 'applySetting' },
  },
  states: {
    INIT: {
      initial: 'idle',
      on: {
        // Leaving Initialize (RFC 5798 §6.4.1).
        START: [
          { guard: 'faulted', target: 'FAULT' },
          // A reload replaced a master: master it stays (keepalived vrrp_init_state, reload_master).
          { guard: 'resumesMaster', target: 'MASTER' },
          // Within vrrp_startup_delay the owner waits for its end (keepalived: a backup whose timer is 1 µs).
          { guard: 'ownerStartupDelayed', target: '.startupDelay', actions: { type: 'nextReason', params: { reason: 'preempted' } } },
          // The owner sends an advertisement, announces and becomes master at once.
          { guard: 'isOwner', target: 'MASTER', actions: { type: 'nextReason', params: { reason: 'preempted' } } },
          // Everyone else, `state MASTER` or not, waits Master_Down_Interval as a backup (keepalived 2.x).
          { target: 'BACKUP', actions: 'resetMasterToOwnInterval' },
        ],
        SYNC: { actions: 'applySync' },
      },
      states: {
        idle: {},
        /** The owner until the end of vrrp_startup_delay: a Master_Down_Timer of 0 held to it. */
        startupDelay: {
          invoke: { id: 'masterDownTimer', src: 'masterDownTimer', input: { delayMs: 0 } },
          always: { guard: 'faulted', target: '#vrrp.FAULT' },
          on: { MASTER_DOWN: { target: '#vrrp.MASTER' } },
        },
      },
    },
    BACKUP: {
      type: 'parallel',
      entry: { type: 'notify', params: { state: 'BACKUP' } },
      always: { guard: 'faulted', target: 'FAULT' },
      on: {
        STOP: { target: 'STOP' },
        SYNC: [
          { guard: 'syncMaster', target: 'MASTER' },
          { actions: 'applySync' },
        ],
      },
      states: {
        timer: {
          initial: 'waiting',
          states: {
            /** Master_Down_Timer running (RFC 5798 §6.4.2). */
            waiting: {
              invoke: { id: 'masterDownTimer', src: 'masterDownTimer', input: ({ context }) => ({ delayMs: masterDownMs(context) }) },
              on: {
                MASTER_DOWN: { target: '#vrrp.MASTER' },
                ADVERTISEMENT: [
                  // Priority 0: the master is leaving; take over after Skew_Time.
                  { guard: 'priorityZero', target: 'skewWait', actions: { type: 'nextReason', params: { reason: 'priority' } } },
                  {
                    guard: 'backupAccepts',
                    actions: ['learnMaster', 'restartMasterDown', { type: 'nextReason', params: { reason: 'masterNoResponse' } }],
                  },
                  // Otherwise discard: a lower-priority master, and we preempt once the timer runs out.
                  { actions: { type: 'nextReason', params: { reason: 'preempted' } } },
                ],
              },
            },
            /** RFC 5798 §6.4.2: priority 0 sets Master_Down_Timer to Skew_Time. */
            skewWait: {
              invoke: { id: 'masterDownTimer', src: 'masterDownTimer', input: ({ context }) => ({ delayMs: skewMs(context) }) },
              on: {
                MASTER_DOWN: { target: '#vrrp.MASTER' },
                ADVERTISEMENT: [
                  { guard: 'backupAccepts', target: 'waiting', actions: ['learnMaster', { type: 'nextReason', params: { reason: 'masterNoResponse' } }] },
                ],
              },
            },
          },
        },
        /** keepalived preempt_delay: a lower-priority master is tolerated this long after we first see it. */
        preempt: {
          initial: 'idle',
          states: {
            idle: {
              on: { ADVERTISEMENT: { guard: 'lowerPriorityWhilePreempting', target: 'holding' } },
            },
            holding: {
              after: { preemptDelay: { target: 'expired' } },
            },
            expired: { id: 'preemptExpired' },
          },
        },
      },
    },
    MASTER: {
      entry: [
        'becomeMasterReason',
        // keepalived order on becoming master: advertisement first, then addresses, then gratuitous ARPs.
        'sendAdvertisement',
        'addVirtualAddresses',
        { type: 'announce', params: ({ context }) => ({ count: announcementsAtOnce(context.params) }) },
        { type: 'notify', params: { state: 'MASTER' } },
      ],
      // The rest of the GARP schedule, for as long as this instance is master (a resumed master's without the delayed burst).
      invoke: {
        id: 'garpTimer',
        src: 'garpTimer',
        input: ({ context }) => (context.resume === 'MASTER' ? { ...garpScheduleOf(context.params), garpMasterDelayMs: 0 } : garpScheduleOf(context.params)),
      },
      exit: 'forgetResume',
      always: { guard: 'faulted', target: 'FAULT', actions: ['sendPriorityZero', 'removeVirtualAddresses'] },
      initial: 'advertising',
      on: {
        STOP: { target: 'STOP', actions: ['sendPriorityZero', 'removeVirtualAddresses'] },
        SYNC: [
          {
            guard: 'syncBackup',
            target: 'BACKUP',
            actions: ['removeVirtualAddresses', 'resetMasterToOwnInterval'],
          },
          { actions: 'applySync' },
        ],
        GROUP_LOWER_PRIORITY: {
          guard: 'lowerPrioGarps',
          actions: [{ type: 'announce', params: ({ context }) => ({ count: lowerPriorityAtOnce(context.params) }) }, 'lowerPriorityGarps'],
        },
        // Priority 0 and lower priorities are answered by `advertising` (below), which re-enters itself only.
        ADVERTISEMENT: [
          // higher_prio_send_advert: one advertisement first, so that the other master (if it has
          // garp_lower_prio_repeat) announces its addresses again after ours (keepalived vrrp_state_master_rx).
          { guard: and(['senderWins', 'higherPrioSendAdvert']), target: 'BACKUP', actions: ['sendAdvertisement', 'removeVirtualAddresses', 'learnMaster'] },
          { guard: 'senderWins', target: 'BACKUP', actions: ['removeVirtualAddresses', 'learnMaster'] },
        ],
      },
      states: {
        advertising: {
          invoke: { src: 'adverTimer', input: ({ context }) => ({ intervalMs: csToMs(context.params.advertIntervalCs) }) },
          on: {
            // RFC 5798 §6.4.3: priority 0 → send an advertisement at once and reset the Adver_Timer (keepalived
            // vrrp_state_master_rx: nothing else). Re-entering this state restarts the timer; a transition on
            // MASTER with `reenter` would leave and re-enter MASTER, re-running its entry (addresses, GARPs, notify).
            ADVERTISEMENT: [
              { guard: 'priorityZero', target: 'advertising', reenter: true, actions: 'sendAdvertisement' },
              // A lower priority: unless lower_prio_no_advert, keepalived forces a new election by advertising at
              // once, which restarts its Adver_Timer; either way garp_lower_prio_repeat announcements go out.
              {
                guard: and([not('senderWins'), 'forceElection', 'lowerPrioGarps']),
                target: 'advertising',
                reenter: true,
                actions: ['sendAdvertisement', { type: 'announce', params: ({ context }) => ({ count: lowerPriorityAtOnce(context.params) }) }, 'lowerPriorityGarps'],
              },
              { guard: and([not('senderWins'), 'forceElection']), target: 'advertising', reenter: true, actions: 'sendAdvertisement' },
              {
                guard: and([not('senderWins'), 'lowerPrioGarps']),
                actions: [{ type: 'announce', params: ({ context }) => ({ count: lowerPriorityAtOnce(context.params) }) }, 'lowerPriorityGarps'],
              },
            ],
          },
        },
      },
    },
    FAULT: {
      entry: { type: 'notify', params: { state: 'FAULT' } },
      always: [
        { guard: 'healthyOwner', target: 'MASTER', actions: { type: 'nextReason', params: { reason: 'preempted' } } },
        { guard: 'healthy', target: 'BACKUP', actions: 'resetMasterToOwnInterval' },
      ],
      on: {
        STOP: { target: 'STOP' },
        SYNC: { actions: 'applySync' },
      },
    },
    STOP: {
      entry: { type: 'notify', params: { state: 'STOP' } },
      on: {
        // A restarted instance begins again from Initialize.
        START: [
          { guard: 'faulted', target: 'FAULT' },
          { guard: 'ownerStartupDelayed', target: '#vrrp.INIT.startupDelay', actions: { type: 'nextReason', params: { reason: 'preempted' } } },
          { guard: 'isOwner', target: 'MASTER', actions: { type: 'nextReason', params: { reason: 'preempted' } } },
          { target: 'BACKUP', actions: 'resetMasterToOwnInterval' },
        ],
        SYNC: { actions: 'applySync' },
      },
    },
  },
});

/** keepalived's name for a snapshot's state. */
export function vrrpStateName(value: unknown): VrrpStateName {
  if (typeof value === 'string') return value as VrrpStateName;
  // The first key, read without the array Object.keys makes: the receive path asks on every packet (issue 13).
  if (value && typeof value === 'object') for (const key in value) if (Object.hasOwn(value, key)) return key as VrrpStateName;
  return 'INIT';
}
