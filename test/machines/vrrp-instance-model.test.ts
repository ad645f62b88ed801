/**
 * Model-based tests: @xstate/graph walks the VRRP instance machine's graph (its states reached by external events
 * and by its own timers); each shortest path is then replayed on a real actor that runs on the virtual clock,
 * with its actions bound to recording transports. At every step the actor must be in the state the model
 * predicts, and the side effects must agree with it: the VIPs are held exactly while MASTER, priority 0 goes out
 * when a master stops or faults, gratuitous ARPs go out on becoming MASTER and only while MASTER, and a master's
 * GARP schedule (garpTimer) runs on at its exact times.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor } from 'xstate';
import { getShortestPaths } from '@xstate/graph';
import {
  masterDownMs,
  skewMs,
  vrrpInstanceMachine,
  vrrpStateName,
  type VrrpInstanceContext,
  type VrrpInstanceEvent,
  type VrrpInstanceInput,
} from '../../machines/vrrp-instance.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { vrrpTimers } from '../../machines/vrrp-timers.js';
import { instanceParams } from './instance-params.js';
import { pendingTimerEvents } from './pending-timers.js';

const ADV = (priority: number, sourceIsHigher = false): VrrpInstanceEvent => ({
  type: 'ADVERTISEMENT',
  priority,
  intervalCs: 100,
  source: sourceIsHigher ? '192.168.77.250' : '192.168.77.1',
  sourceIsHigher,
});

const EXTERNAL_EVENTS: VrrpInstanceEvent[] = [
  { type: 'START' },
  { type: 'STOP' },
  ADV(0),
  ADV(200),
  ADV(50),
  ADV(100, true),
  ADV(100, false),
  { type: 'TRACK', id: 'interface:eth0', up: false },
  { type: 'TRACK', id: 'interface:eth0', up: true },
  { type: 'SYNC', state: 'MASTER' },
  { type: 'SYNC', state: 'BACKUP' },
  { type: 'SYNC', state: 'FAULT' },
  { type: 'SYNC', state: 'CLEAR' },
];

type Snapshot = ReturnType<typeof vrrpInstanceMachine.transition>;

/**
 * The timer events pending in a snapshot: its active state nodes' `after` transitions, and MASTER_DOWN while the
 * Master_Down_Timer actor is invoked.
 */
const delayedEvents = (snapshot: Snapshot): VrrpInstanceEvent[] => pendingTimerEvents<VrrpInstanceEvent>(snapshot, 'masterDownTimer', 'MASTER_DOWN');

const isTimerEvent = (type: string): boolean => type.startsWith('xstate.after.') || type === 'MASTER_DOWN';

function delayFor(eventType: string, context: VrrpInstanceContext, skewing: boolean): number {
  // Master_Down_Timer runs Skew_Time after a priority-0 advertisement (RFC 5798 §6.4.2).
  if (eventType === 'MASTER_DOWN') return skewing ? skewMs(context) : masterDownMs(context);
  const name = eventType.split('.')[2];
  switch (name) {
    case 'preemptDelay':
      return context.params.preemptDelayMs;
    default:
      throw new Error(`unknown delay ${name}`);
  }
}

function inputFor(priority: number, preempt: boolean, preemptDelayMs: number): VrrpInstanceInput {
  return {
    params: instanceParams({
      priority,
      preempt,
      preemptDelayMs,
      garpMasterDelayMs: 5000,
      garpMasterRepeat: 5,
      garpMasterRefreshMs: 20_000,
      garpLowerPrioRepeat: 2,
      garpLowerPrioDelayMs: 3000,
    }),
    trackers: [{ id: 'interface:eth0', weight: 0, up: true }],
  };
}

function serialize(snapshot: Snapshot): string {
  const c = snapshot.context;
  return JSON.stringify([snapshot.value, c.syncFault, c.trackers['interface:eth0']?.up]);
}

const MODELS: [string, VrrpInstanceInput][] = [
  ['priority 100, preempt', inputFor(100, true, 0)],
  ['priority 100, nopreempt', inputFor(100, false, 0)],
  ['priority 100, preempt_delay 2s', inputFor(100, true, 2000)],
  ['owner (255)', inputFor(255, true, 0)],
];

for (const [label, input] of MODELS) {
  test(`model-based paths: ${label}`, () => {
    const paths = getShortestPaths(vrrpInstanceMachine, {
      input,
      events: (snapshot) => [...EXTERNAL_EVENTS, ...delayedEvents(snapshot)],
      serializeState: (snapshot) => serialize(snapshot),
    });
    assert.ok(paths.length >= 8, `expected a rich graph, got ${paths.length} paths`);
    const reached = new Set(paths.map((p) => vrrpStateName(p.state.value)));
    for (const s of input.params.priority === 255 ? ['MASTER', 'FAULT', 'STOP'] : ['BACKUP', 'MASTER', 'FAULT', 'STOP']) {
      assert.ok(reached.has(s as never), `${s} reachable`);
    }

    let infeasible = 0;
    for (const path of paths) {
      const clock = new VirtualClock();
      const vips = new Set<string>();
      const sent: number[] = [];
      /** Announcements: "time count" from the machine's `announce` action, "time count timer" from its garpTimer. */
      const announced: string[] = [];
      const actor = createActor(
        vrrpInstanceMachine.provide({
          actions: {
            sendAdvertisement: ({ context }) => sent.push(context.effectivePriority),
            sendPriorityZero: () => sent.push(0),
            addVirtualAddresses: () => vips.add('192.168.77.100'),
            removeVirtualAddresses: () => vips.delete('192.168.77.100'),
            announce: (_, params) => announced.push(`${clock.now()} ${params.count}`),
          },
          actors: vrrpTimers(clock, {
            advertise: () => sent.push(actor.getSnapshot().context.effectivePriority),
            announce: (count) => {
              assert.equal(vrrpStateName(actor.getSnapshot().value), 'MASTER', 'the GARP schedule runs only while MASTER');
              announced.push(`${clock.now()} ${count} timer`);
            },
          }),
        }),
        { input, clock },
      );
      actor.start();
      const description: string[] = [];
      /** When the instance last became MASTER, and when it heard lower priorities since. */
      let becameMaster: number | undefined;
      let lowerHeard: number[] = [];
      for (const step of path.steps) {
        const event = step.event;
        const before = vrrpStateName(actor.getSnapshot().value);
        const contextBefore = actor.getSnapshot().context;
        const skewingBefore = actor.getSnapshot().matches({ BACKUP: { timer: 'skewWait' } });
        const sentBefore = sent.length;
        const announcedBefore = announced.length;
        let elapsed = 0;
        if (isTimerEvent(event.type)) {
          const start = clock.now();
          clock.step();
          elapsed = clock.now() - start;
        } else if ((event.type as string) !== 'xstate.init') {
          actor.send(event);
        }
        description.push(event.type === 'ADVERTISEMENT' ? `ADV(${event.priority})` : event.type);
        const expected = vrrpStateName(step.state.value);
        const actual = vrrpStateName(actor.getSnapshot().value);
        // The graph treats timers as independent events; in time, a shorter pending timer fires first. Such a
        // path cannot happen (e.g. preempt_delay expiring before a priority-0 skew), so it ends here.
        if (actual !== expected && isTimerEvent(event.type) && elapsed < delayFor(event.type, contextBefore, skewingBefore)) {
          infeasible++;
          break;
        }
        assert.equal(actual, expected, `path ${description.join(' → ')}`);
        // Side effects agree with the model.
        assert.equal(vips.has('192.168.77.100'), actual === 'MASTER', `VIP held exactly while MASTER (${description.join(' → ')})`);
        if (before === 'MASTER' && (actual === 'STOP' || actual === 'FAULT')) {
          assert.ok(sent.slice(sentBefore).includes(0), `priority 0 sent when leaving MASTER for ${actual}`);
        }
        if (before !== 'MASTER' && actual === 'MASTER') {
          assert.ok(sent.length > sentBefore && sent[sentBefore] !== 0, 'an advertisement goes out on becoming MASTER');
          assert.deepEqual(announced.slice(announcedBefore), [`${clock.now()} 5`], 'garp_master_repeat announcements at once on becoming MASTER');
          becameMaster = clock.now();
          lowerHeard = [];
        }
        if (before === 'MASTER' && actual === 'MASTER' && event.type === 'ADVERTISEMENT' && event.priority !== 0) {
          // A lower priority: an advertisement at once (no lower_prio_no_advert), and garp_lower_prio_repeat.
          assert.equal(sent[sentBefore], contextBefore.effectivePriority, 'a lower priority is answered with an advertisement');
          assert.deepEqual(announced.slice(announcedBefore), [`${clock.now()} 2`], 'garp_lower_prio_repeat announcements at once');
          lowerHeard.push(clock.now());
        }
        if (actual !== 'MASTER') assert.equal(announced.length, announcedBefore, `no announcement on the way to ${actual}`);
      }
      // A master's schedule goes on from becoming master (the second burst after garp_master_delay, the refresh
      // every garp_master_refresh), and each lower priority heard adds its repeat after garp_lower_prio_delay.
      if (vrrpStateName(actor.getSnapshot().value) === 'MASTER' && becameMaster !== undefined) {
        const now = clock.now();
        const until = now + 20_000;
        const due: [number, string][] = [];
        if (becameMaster + 5000 > now) due.push([becameMaster + 5000, '5']);
        for (let t = becameMaster + 20_000; t <= until; t += 20_000) if (t > now) due.push([t, '1']);
        for (const t of lowerHeard) if (t + 3000 > now) due.push([t + 3000, '2']);
        due.sort((a, b) => a[0] - b[0]);
        const from = announced.length;
        clock.runUntil(until);
        assert.deepEqual(announced.slice(from), due.map(([t, count]) => `${t} ${count} timer`), description.join(' → '));
      }
      actor.stop();
    }
    assert.ok(infeasible < paths.length / 4, `${infeasible} of ${paths.length} paths infeasible in time`);
  });
}
