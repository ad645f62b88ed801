/**
 * A sync group's own tracking folded into a member's trackers (actors/vrrp/group-tracking.ts), as keepalived
 * 2.2.7's add_vrrp_to_* do it: the group's objects are added with the group's weight; an object the member tracks
 * already keeps one entry, unweighted if the member's is, else with the group's weight.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { withGroupTracking } from '../../actors/vrrp/group-tracking.js';
import { trackersFault, type TrackerState } from '../../machines/vrrp-priority.js';
import type { TrackerInput } from '../../machines/vrrp-instance.js';

const OWN = 'interface:eth0';

test("the group's objects join the member's with the group's weight and direction", () => {
  const member: TrackerInput[] = [{ id: 'script:a', weight: -10, up: true }];
  const group: TrackerInput[] = [
    { id: 'script:g', weight: 0, up: true },
    { id: 'interface:eth1', weight: 15, reverse: true, up: true },
  ];
  assert.deepEqual(withGroupTracking(member, group, OWN), [...member, ...group]);
});

test('an object tracked by both: unweighted stays unweighted, weighted takes the group weight (a process keeps its direction)', () => {
  const member: TrackerInput[] = [
    { id: 'script:zero', weight: 0, up: true },
    { id: 'script:w', weight: -10, up: true },
    { id: 'file:f', weight: 2, reverse: true, up: true },
    { id: 'process:p', weight: 5, reverse: true, up: true },
  ];
  const group: TrackerInput[] = [
    { id: 'script:zero', weight: -40, up: true },
    { id: 'script:w', weight: 0, up: true },
    { id: 'file:f', weight: 7, up: true },
    { id: 'process:p', weight: 9, up: true },
  ];
  assert.deepEqual(withGroupTracking(member, group, OWN), [
    { id: 'script:zero', weight: 0, up: true },
    { id: 'script:w', weight: 0, up: true },
    { id: 'file:f', weight: 7, up: true },
    { id: 'process:p', weight: 9, reverse: true, up: true },
  ]);
});

test("the group's track_interface naming the member's own interface changes nothing: it stays tracked with weight 0", () => {
  assert.deepEqual(withGroupTracking([], [{ id: OWN, weight: -30, up: true }], OWN), []);
});

const ids = ['script:a', 'script:b', 'file:f', 'process:p', 'interface:eth1', OWN];
const trackerArb = fc.record({
  id: fc.constantFrom(...ids),
  weight: fc.oneof(fc.constant(0), fc.integer({ min: -253, max: 253 })),
  reverse: fc.boolean(),
  up: fc.boolean(),
});
const listArb = fc.uniqueArray(trackerArb, { selector: (t) => t.id, maxLength: ids.length }).map((l) => l.filter((t) => t.id !== OWN));

/** The trackers as the instance machine holds them, with each object's state. */
function states(trackers: readonly TrackerInput[], up: ReadonlyMap<string, boolean>): Record<string, TrackerState> {
  return Object.fromEntries(trackers.map((t) => [t.id, { weight: t.weight, reverse: t.reverse, up: up.get(t.id) ?? true }]));
}

test('property: an unweighted object that is down (up with reverse) holds the member in FAULT, whoever tracks it', () => {
  fc.assert(
    fc.property(listArb, listArb, fc.array(fc.boolean(), { minLength: ids.length, maxLength: ids.length }), (member, group, ups) => {
      const up = new Map(ids.map((id, i) => [id, ups[i]!]));
      const merged = withGroupTracking(member, group, OWN);
      const faulted = trackersFault(states(merged, up));
      const down = (t: TrackerInput): boolean => up.get(t.id) === Boolean(t.reverse);
      // Every object of either list is tracked once.
      assert.deepEqual(new Set(merged.map((t) => t.id)), new Set([...member, ...group].map((t) => t.id)));
      assert.equal(merged.length, new Set(merged.map((t) => t.id)).size);
      // The member's unweighted tracking is never weakened by the group's.
      if (member.some((t) => t.weight === 0 && down(t))) assert.equal(faulted, true);
      for (const g of group.filter((t) => t.weight === 0)) {
        const own = member.find((m) => m.id === g.id);
        // Only the group tracks it, or the member with a weight: the group's unweighted tracking (a process keeps
        // the member's direction).
        const direction = own && g.id.startsWith('process:') ? own : g;
        if ((!own || own.weight !== 0) && down({ ...g, reverse: direction.reverse })) assert.equal(faulted, true, JSON.stringify({ member, group, g }));
      }
      // Nothing faults that no unweighted entry explains.
      if (faulted) assert.ok(merged.some((t) => t.weight === 0 && down(t)));
    }),
  );
});
