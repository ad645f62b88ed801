/**
 * The top level of keepalived.conf: which block each keyword opens, and the drafts the blocks fill. Blocks of
 * the same kind and name given twice: the second is skipped with an error, as keepalived does.
 */

import type { GarpGroup, InterfaceDelay, IpAddress, Route, Rule, SslContext, TrackGroup, VirtualServerGroup, VirtualServerGroupEntry } from '../model.js';
import type { ConfigLine } from '../reader.js';
import { word } from '../values.js';
import { blockSpec, type BlockSpec, type KeywordHandler, type Walker } from '../walker.js';
import { defaultGlobalDefs, GLOBAL_DEFS_SPEC, ROOT_GLOBAL_HANDLERS, type GlobalDefs } from './global-defs.js';
import { newSyncGroupDraft, SYNC_GROUP_SPEC, type SyncGroupDraft } from './sync-group.js';
import { GARP_GROUP_SPEC, readGarpGroup, readInterfaceDelays, readLinkbeatInterfaces, readStaticAddresses, readStaticRoutes, readStaticRules, readTrackGroup, TRACK_GROUP_SPEC } from './static.js';
import { BFD_SPEC, newBfdDraft, newTrackFileDraft, newTrackProcessDraft, TRACK_FILE_SPEC, TRACK_PROCESS_SPEC, type BfdDraft, type TrackFileDraft, type TrackProcessDraft } from './trackers.js';
import { newInstanceDraft, VRRP_INSTANCE_SPEC, type InstanceDraft } from './vrrp-instance.js';
import { newScriptDraft, VRRP_SCRIPT_SPEC, type ScriptDraft } from './vrrp-script.js';
import { newVirtualServerDraft, VIRTUAL_SERVER_SPEC, type VirtualServerDraft } from './virtual-server.js';
import { parseGroupEntry } from './vs-group.js';

export interface Drafts {
  readonly globalDefs: GlobalDefs;
  readonly staticIpAddresses: IpAddress[];
  readonly staticRoutes: Route[];
  readonly staticRules: Rule[];
  readonly trackGroups: TrackGroup[];
  readonly linkbeatInterfaces: { name: string; type?: string | undefined }[];
  readonly interfaceUpDownDelays: InterfaceDelay[];
  readonly garpGroups: GarpGroup[];
  readonly scripts: ScriptDraft[];
  readonly trackFiles: TrackFileDraft[];
  readonly trackProcesses: TrackProcessDraft[];
  readonly bfdInstances: BfdDraft[];
  readonly syncGroups: SyncGroupDraft[];
  readonly instances: InstanceDraft[];
  readonly vsGroups: VirtualServerGroup[];
  readonly virtualServers: VirtualServerDraft[];
  ssl?: SslContext | undefined;
}

export function newDrafts(): Drafts {
  return {
    globalDefs: defaultGlobalDefs(),
    staticIpAddresses: [],
    staticRoutes: [],
    staticRules: [],
    trackGroups: [],
    linkbeatInterfaces: [],
    interfaceUpDownDelays: [],
    garpGroups: [],
    scripts: [],
    trackFiles: [],
    trackProcesses: [],
    bfdInstances: [],
    syncGroups: [],
    instances: [],
    vsGroups: [],
    virtualServers: [],
  };
}

type H = KeywordHandler<Drafts>;

/** `KEYWORD NAME { ... }` blocks: a name is required and must be new. */
function named<D extends { readonly name: string }>(
  list: (d: Drafts) => D[],
  make: (name: string, at: ConfigLine) => D,
  spec: BlockSpec<D>,
): H {
  return (drafts, line, w) => {
    const kind = line.words[0]!;
    if (line.words.length !== 2) {
      w.diagnostics.error(line, `${kind} must have ${line.words.length < 2 ? 'a name' : 'exactly one name'}`);
      w.skip(line);
      return;
    }
    const name = line.words[1]!;
    const existing = list(drafts);
    if (existing.some((d) => d.name === name)) {
      w.diagnostics.error(line, `${kind} ${name} is already defined - skipping this one`);
      w.skip(line);
      return;
    }
    const draft = make(name, line);
    w.block(draft, spec, line);
    existing.push(draft);
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const SSL_SPEC = blockSpec<Mutable<SslContext>>('SSL', {
  password: (s, line, w) => {
    s.password = word(line, 1, w.diagnostics);
  },
  ca: (s, line, w) => {
    s.ca = word(line, 1, w.diagnostics, 'file name');
  },
  certificate: (s, line, w) => {
    s.certificate = word(line, 1, w.diagnostics, 'file name');
  },
  key: (s, line, w) => {
    s.key = word(line, 1, w.diagnostics, 'file name');
  },
});

function readVsGroup(drafts: Drafts, line: ConfigLine, w: Walker): void {
  const name = line.words[1];
  if (name === undefined || line.words.length > 2) {
    w.diagnostics.error(line, 'virtual_server_group must have exactly one name');
    w.skip(line);
    return;
  }
  if (drafts.vsGroups.some((g) => g.name === name)) {
    w.diagnostics.error(line, `virtual_server_group ${name} is already defined - skipping this one`);
    w.skip(line);
    return;
  }
  const entries: VirtualServerGroupEntry[] = [];
  w.lines(line, (l) => {
    const e = parseGroupEntry(l, w.diagnostics);
    if (e) entries.push(e);
  });
  if (entries.length === 0) w.diagnostics.warning(line, `virtual_server_group ${name} has no entries`);
  drafts.vsGroups.push({ name, at: { file: line.file, line: line.line }, entries });
}

const handlers: Record<string, H> = {
  global_defs: (d, line, w) => w.block(d.globalDefs, GLOBAL_DEFS_SPEC, line),
  ...Object.fromEntries(Object.entries(ROOT_GLOBAL_HANDLERS).map(([k, h]) => [k, ((d, line, w) => h(d.globalDefs, line, w)) as H])),
  static_ipaddress: (d, line, w) => readStaticAddresses(line, w, d.staticIpAddresses),
  static_routes: (d, line, w) => readStaticRoutes(line, w, d.staticRoutes),
  static_rules: (d, line, w) => readStaticRules(line, w, d.staticRules),
  track_group: (d, line, w) => {
    const g = readTrackGroup(line, w);
    if (g) d.trackGroups.push(g);
  },
  linkbeat_interfaces: (d, line, w) => readLinkbeatInterfaces(line, w, d.linkbeatInterfaces),
  interface_up_down_delays: (d, line, w) => readInterfaceDelays(line, w, d.interfaceUpDownDelays),
  garp_group: (d, line, w) => {
    d.garpGroups.push(readGarpGroup(line, w));
  },
  vrrp_script: named((d) => d.scripts, newScriptDraft, VRRP_SCRIPT_SPEC),
  track_file: named((d) => d.trackFiles, newTrackFileDraft, TRACK_FILE_SPEC),
  vrrp_track_file: (d, line, w) => {
    w.diagnostics.warning(line, `'vrrp_track_file' is deprecated - use 'track_file'`);
    named((x) => x.trackFiles, newTrackFileDraft, TRACK_FILE_SPEC)(d, line, w);
  },
  vrrp_track_process: named((d) => d.trackProcesses, newTrackProcessDraft, TRACK_PROCESS_SPEC),
  // keepalived (2.2.7 and later) knows this block only as vrrp_track_process; `track_process` is the instance's and
  // the sync group's list of them. Read, but said: keepalived -t refuses the file (--strict makes it an error).
  track_process: (d, line, w) => {
    w.diagnostics.warning(line, `'track_process NAME { }' is not a keepalived block (keepalived refuses it) - use 'vrrp_track_process'`);
    named((x) => x.trackProcesses, newTrackProcessDraft, TRACK_PROCESS_SPEC)(d, line, w);
  },
  bfd_instance: named((d) => d.bfdInstances, newBfdDraft, BFD_SPEC),
  vrrp_sync_group: named((d) => d.syncGroups, newSyncGroupDraft, SYNC_GROUP_SPEC),
  vrrp_instance: named((d) => d.instances, newInstanceDraft, VRRP_INSTANCE_SPEC),
  virtual_server_group: readVsGroup,
  virtual_server: (d, line, w) => {
    const vs = newVirtualServerDraft(line, w);
    if (!vs) {
      w.skip(line);
      return;
    }
    w.block(vs, VIRTUAL_SERVER_SPEC, line);
    d.virtualServers.push(vs);
  },
  SSL: (d, line, w) => {
    const ssl: Mutable<SslContext> = { ...(d.ssl ?? {}) };
    w.block(ssl, SSL_SPEC, line);
    d.ssl = ssl;
  },
};

export const ROOT_SPEC = blockSpec<Drafts>('', handlers, {
  global_defs: GLOBAL_DEFS_SPEC,
  track_group: TRACK_GROUP_SPEC,
  garp_group: GARP_GROUP_SPEC,
  vrrp_script: VRRP_SCRIPT_SPEC,
  track_file: TRACK_FILE_SPEC,
  vrrp_track_file: TRACK_FILE_SPEC,
  vrrp_track_process: TRACK_PROCESS_SPEC,
  track_process: TRACK_PROCESS_SPEC,
  bfd_instance: BFD_SPEC,
  vrrp_sync_group: SYNC_GROUP_SPEC,
  vrrp_instance: VRRP_INSTANCE_SPEC,
  virtual_server: VIRTUAL_SERVER_SPEC,
  SSL: SSL_SPEC,
});

