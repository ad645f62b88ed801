/** `vrrp_sync_group NAME { group { ... } track_* notify* smtp_alert global_tracking ... }` (keepalived.conf(5)). */
import type { Script, TrackedByName, VrrpSyncGroup } from '../model.js';
import type { ConfigLine } from '../reader.js';
import { boolean, script } from '../values.js';
import { blockSpec, type KeywordHandler } from '../walker.js';
import { parseTrackLine, type TrackKind } from './tracking.js';

export interface SyncGroupDraft {
  readonly name: string;
  readonly at: ConfigLine;
  group: string[];
  tracks: Record<TrackKind, TrackedByName[]>;
  notifyMaster?: Script | undefined;
  notifyBackup?: Script | undefined;
  notifyFault?: Script | undefined;
  notifyStop?: Script | undefined;
  notify?: Script | undefined;
  smtpAlert?: boolean | undefined;
  globalTracking: boolean;
  syncGroupTrackingWeight: boolean;
  notifyPriorityChanges?: boolean | undefined;
}

export function newSyncGroupDraft(name: string, at: ConfigLine): SyncGroupDraft {
  return {
    name,
    at,
    group: [],
    tracks: { track_interface: [], track_script: [], track_file: [], track_process: [], track_bfd: [] },
    globalTracking: false,
    syncGroupTrackingWeight: false,
  };
}

type H = KeywordHandler<SyncGroupDraft>;

const track =
  (kind: TrackKind): H =>
  (g, line, w) => {
    const seen = new Set(g.tracks[kind].map((t) => t.name));
    w.lines(line, (l) => {
      const t = parseTrackLine(kind, l, w.diagnostics, seen);
      if (t) g.tracks[kind].push(t);
    });
  };

const notify =
  (field: 'notifyMaster' | 'notifyBackup' | 'notifyFault' | 'notifyStop' | 'notify'): H =>
  (g, line, w) => {
    const s = script(line, 1, w.diagnostics);
    if (s) g[field] = s;
  };

export const SYNC_GROUP_SPEC = blockSpec<SyncGroupDraft>('vrrp_sync_group', {
  group: (g, line, w) =>
    w.lines(line, (l) => {
      for (const name of l.words) {
        if (g.group.includes(name)) w.diagnostics.warning(l, `vrrp_sync_group ${g.name}: '${name}' listed twice - ignoring`);
        else g.group.push(name);
      }
    }),
  track_interface: track('track_interface'),
  track_script: track('track_script'),
  track_file: track('track_file'),
  track_process: track('track_process'),
  track_bfd: track('track_bfd'),
  notify_master: notify('notifyMaster'),
  notify_backup: notify('notifyBackup'),
  notify_fault: notify('notifyFault'),
  notify_stop: notify('notifyStop'),
  notify: notify('notify'),
  smtp_alert: (g, line, w) => {
    const b = boolean(line, 1, w.diagnostics);
    if (b !== undefined) g.smtpAlert = b;
  },
  global_tracking: (g, line, w) => {
    w.diagnostics.warning(line, `vrrp_sync_group ${g.name}: global_tracking is deprecated - use track_* on the sync group`);
    // keepalived reads it as sync_group_tracking_weight: the members' tracking weights count.
    g.globalTracking = true;
    g.syncGroupTrackingWeight = true;
  },
  sync_group_tracking_weight: (g) => {
    g.syncGroupTrackingWeight = true;
  },
  notify_priority_changes: (g, line, w) => {
    const b = boolean(line, 1, w.diagnostics);
    if (b !== undefined) g.notifyPriorityChanges = b;
  },
});

export function finishSyncGroup(g: SyncGroupDraft): VrrpSyncGroup {
  return {
    name: g.name,
    at: { file: g.at.file, line: g.at.line },
    group: g.group,
    trackInterfaces: g.tracks.track_interface,
    trackScripts: g.tracks.track_script,
    trackFiles: g.tracks.track_file,
    trackProcesses: g.tracks.track_process,
    trackBfds: g.tracks.track_bfd,
    notifyMaster: g.notifyMaster,
    notifyBackup: g.notifyBackup,
    notifyFault: g.notifyFault,
    notifyStop: g.notifyStop,
    notify: g.notify,
    smtpAlert: g.smtpAlert,
    globalTracking: g.globalTracking,
    syncGroupTrackingWeight: g.syncGroupTrackingWeight,
    notifyPriorityChanges: g.notifyPriorityChanges,
  };
}
