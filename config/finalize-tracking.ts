/**
 * What keepalived 2.2.7 does to tracking weights once it knows the sync groups (vrrp.c vrrp_complete_instance and
 * sync_group_tracking_init), after the tracked objects are resolved by name:
 *
 * - A member of a vrrp_sync_group without `sync_group_tracking_weight` (or `global_tracking`), and otherwise the
 *   address owner (priority 255), do not track with weights of their own: a weighted track_interface keeps
 *   tracking with weight 0 in the group (the owner stops tracking it); a weighted track_script or track_bfd is not
 *   tracked at all; a track_file with weight 1 (its default) is tracked with weight 0, one with another weight is
 *   not tracked. keepalived 2.2.7 leaves a weighted track_process alone (keepalived.conf(5) asks for weight 0, but
 *   the code does not enforce it), and so does vigil.
 * - A sync group with an address owner among its members tracks its own objects with weight 0.
 * - An instance's track_interface naming its own interface is ignored (the interface is tracked anyway, weight 0),
 *   and an interface tracked both by a sync group and by one of its members (or being its interface) is warned
 *   about: the member's unweighted tracking wins (actors/vrrp/group-tracking.ts).
 *
 * Each is a warning at the track line, as keepalived reports them.
 */
import type { Diagnostics, SourcePosition } from './diagnostics.js';
import type { TrackedByName, VrrpInstance, VrrpSyncGroup } from './model.js';

const OWNER_PRIORITY = 255;

/** An instance's track_interface naming its own interface is dropped (vrrp.c: "Ignoring track_interface … since own interface"). */
export function withoutOwnInterface(instance: VrrpInstance, d: Diagnostics): VrrpInstance {
  const own = instance.trackInterfaces.filter((t) => t.name === instance.interface);
  if (own.length === 0) return instance;
  for (const t of own) d.warning(t.at ?? instance.at, `vrrp_instance ${instance.name}: ignoring track_interface ${t.name} since it is the instance's own interface (tracked anyway, weight 0)`);
  return { ...instance, trackInterfaces: instance.trackInterfaces.filter((t) => t.name !== instance.interface) };
}

/** The members' own weights, as keepalived takes them in a sync group without sync_group_tracking_weight, or for the address owner. */
export function withoutOwnWeights(instance: VrrpInstance, group: VrrpSyncGroup | undefined, d: Diagnostics): VrrpInstance {
  const inGroup = group !== undefined && !group.syncGroupTrackingWeight;
  if (!inGroup && instance.priority !== OWNER_PRIORITY) return instance;
  const because = inGroup ? `in vrrp_sync_group ${group.name} (see sync_group_tracking_weight)` : 'as the address owner (priority 255)';
  const name = `vrrp_instance ${instance.name}`;
  const at = (t: TrackedByName): SourcePosition => t.at ?? instance.at;
  const unweighted = (kind: string, list: readonly TrackedByName[]): TrackedByName[] =>
    list.filter((t) => {
      if (!t.weight) return true;
      d.warning(at(t), `${name}: ignoring ${kind} '${t.name}' with weight ${t.weight} ${because} - not tracked`);
      return false;
    });
  const interfaces = inGroup
    ? instance.trackInterfaces.map((t) => {
        if (!t.weight) return t;
        d.warning(at(t), `${name}: ignoring the weight ${t.weight} of track_interface '${t.name}' ${because} - weight 0`);
        return { ...t, weight: 0 };
      })
    : unweighted('track_interface', instance.trackInterfaces);
  // In keepalived's order: interfaces, scripts, files, BFDs.
  const scripts = unweighted('track_script', instance.trackScripts);
  const files = instance.trackFiles.flatMap((t) => {
    if (t.weight !== 1) return unweighted('track_file', [t]);
    d.warning(at(t), `${name}: ignoring the weight 1 of track_file '${t.name}' ${because} - weight 0 (specify weight 0)`);
    return [{ ...t, weight: 0 }];
  });
  const bfds = unweighted('track_bfd', instance.trackBfds);
  return { ...instance, trackInterfaces: interfaces, trackScripts: scripts, trackFiles: files, trackBfds: bfds };
}

/**
 * A sync group's own tracking: weights cleared when a member is the address owner; an interface that a member
 * tracks itself (or runs on) is warned about.
 */
export function finishGroupTracking(group: VrrpSyncGroup, members: readonly VrrpInstance[], d: Diagnostics): VrrpSyncGroup {
  const name = `vrrp_sync_group ${group.name}`;
  for (const t of group.trackInterfaces) {
    for (const m of members) {
      if (m.interface === t.name || m.trackInterfaces.some((own) => own.name === t.name)) {
        d.warning(t.at ?? group.at, `${name}: track_interface ${t.name} is configured on vrrp_instance ${m.name} and on the sync group - remove one`);
      }
    }
  }
  const owner = members.find((m) => m.priority === OWNER_PRIORITY);
  if (!owner) return group;
  const cleared = (kind: string, list: readonly TrackedByName[]): TrackedByName[] =>
    list.map((t) => {
      if (!t.weight) return t;
      d.warning(t.at ?? group.at, `${name}: ${kind} '${t.name}' cannot have weight ${t.weight} with member ${owner.name} at priority 255 - weight 0`);
      return { ...t, weight: 0 };
    });
  // In keepalived's order (sync_group_tracking_init): scripts, files, processes, BFDs, interfaces.
  const trackScripts = cleared('track_script', group.trackScripts);
  const trackFiles = cleared('track_file', group.trackFiles);
  const trackProcesses = cleared('track_process', group.trackProcesses);
  const trackBfds = cleared('track_bfd', group.trackBfds);
  const trackInterfaces = cleared('track_interface', group.trackInterfaces);
  return { ...group, trackInterfaces, trackScripts, trackFiles, trackProcesses, trackBfds };
}
