/**
 * A vrrp_sync_group's own tracked objects (track_interface, track_script, track_file, track_process inside the
 * group) as keepalived 2.2.7 applies them (vrrp.c sync_group_tracking_init, add_vrrp_to_*): every member tracks
 * each of them as if it were its own, with the group's weight. Weight 0 puts each member in FAULT while the
 * object is down, so the whole group goes to FAULT and comes back with the last of them; a weight moves each
 * member's own effective priority (clamped per member to 1..254; an address owner among the members has had the
 * group's weights cleared, config/finalize-tracking.ts).
 *
 * An object a member already tracks is tracked once: with the group's weight (and direction) when the member's
 * own tracking is weighted, unweighted (FAULT) when the member's own is - "we will use the sync group's weight
 * unless the vrrp setting is unweighted". keepalived 2.2.7 keeps the member's direction for a track_process, and
 * a group's track_interface naming a member's own interface leaves it tracked with weight 0, as always.
 */
import type { TrackerInput } from '../../machines/vrrp-instance.js';

export function withGroupTracking(member: readonly TrackerInput[], group: readonly TrackerInput[], ownInterfaceId: string): TrackerInput[] {
  const out = [...member];
  for (const g of group) {
    if (g.id === ownInterfaceId) continue;
    const i = out.findIndex((t) => t.id === g.id);
    if (i < 0) {
      out.push(g);
      continue;
    }
    const own = out[i]!;
    if (own.weight === 0) continue;
    const reverse = g.id.startsWith('process:') ? own.reverse : g.reverse;
    out[i] = { id: own.id, weight: g.weight, ...(reverse ? { reverse: true } : {}), up: own.up };
  }
  return out;
}
