/**
 * `vigil config dump --json`: the resolved configuration with keepalived's own keyword names (snake_case) as
 * keys and defaults filled in. Values that were not given and have no default are left out.
 */
import type {
  Checker,
  CheckerConnection,
  Config,
  Forwarding,
  HttpUrl,
  IpAddress,
  RealServer,
  Route,
  Rule,
  Script,
  TrackedByName,
  VirtualServer,
  VirtualServerGroup,
  VrrpInstance,
  VrrpSyncGroup,
} from './model.js';
import { ipAddressOptions, routeOptions, ruleSelectors, trackingOptions, type LineOption } from './line-options.js';
import { TRACK_BLOCKS, type TrackOwner } from './track-blocks.js';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Generic conversion: camelCase keys to snake_case, `at` and undefined dropped, with per-key renames. */
function plain(value: unknown, renames: Readonly<Record<string, string | null>> = {}): Json | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((v) => plain(v) ?? null);
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === 'at') continue;
    const renamed = k in renames ? renames[k] : snakeCase(k);
    if (renamed === null || renamed === undefined) continue;
    const j = plain(v);
    if (j !== undefined) out[renamed] = j;
  }
  return out;
}

function put(out: JsonObject, key: string, value: Json | undefined): void {
  if (value !== undefined) out[key] = value;
}

function script(s: Script | true | undefined): Json | undefined {
  if (s === undefined) return undefined;
  if (s === true) return true;
  if (s.user === undefined) return s.command;
  return { script: s.command, user: s.user, ...(s.group !== undefined ? { group: s.group } : {}) };
}

/** Line options as keys: a bare keyword is `true`. */
function putOptions(out: JsonObject, options: readonly LineOption[]): JsonObject {
  for (const [k, v] of options) if (v !== undefined && v !== false) out[k] = v;
  return out;
}

function ipAddress(a: IpAddress): JsonObject {
  return putOptions({ address: a.address, prefix: a.prefix }, ipAddressOptions(a));
}

function route(r: Route): JsonObject {
  const out: JsonObject = {};
  if (r.type !== 'unicast') out['type'] = r.type;
  out['to'] = `${r.destination}/${r.prefix}`;
  putOptions(out, routeOptions(r));
  if (r.nexthops.length > 0) out['nexthop'] = r.nexthops.map((h) => plain(h) ?? null);
  putOptions(out, trackingOptions(r));
  for (const [k, v] of r.options) out[k] = v === '' ? true : v;
  return out;
}

function rule(r: Rule): JsonObject {
  const out = putOptions({}, ruleSelectors(r));
  put(out, 'action', r.action);
  put(out, 'goto', r.gotoTarget);
  putOptions(out, trackingOptions(r));
  for (const [k, v] of r.options) out[k] = v === '' ? true : v;
  if (r.family === 6) out['inet6'] = true;
  return out;
}

function tracked(list: readonly TrackedByName[]): Json[] {
  return list.map((t) => ({ name: t.name, ...(t.weight !== undefined ? { weight: t.weight } : {}), ...(t.reverse ? { reverse: true } : {}) }));
}

function putTracks(out: JsonObject, owner: TrackOwner): void {
  for (const { keyword, list } of TRACK_BLOCKS) if (list(owner).length > 0) out[keyword] = tracked(list(owner));
}

function vrrpInstance(v: VrrpInstance): JsonObject {
  const out = plain(v, {
    advertIntervalCs: null,
    family: null,
    preemptDelaySeconds: 'preempt_delay',
    virtualIpAddresses: null,
    excludedVirtualIpAddresses: null,
    virtualRoutes: null,
    virtualRules: null,
    unicastPeers: null,
    trackInterfaces: null,
    trackScripts: null,
    trackFiles: null,
    trackProcesses: null,
    trackBfds: null,
    oldUnicastChecksum: null,
    oldUnicastChecksumNever: null,
    authentication: null,
    notifyMaster: null,
    notifyBackup: null,
    notifyFault: null,
    notifyStop: null,
    notifyDeleted: null,
    notify: null,
    notifyMasterRxLowerPri: null,
    interface: v.interface === '' ? null : 'interface',
  }) as JsonObject;
  if (v.authentication) out['authentication'] = { auth_type: v.authentication.type, auth_pass: v.authentication.password };
  out['virtual_ipaddress'] = v.virtualIpAddresses.map(ipAddress);
  if (v.excludedVirtualIpAddresses.length > 0) out['virtual_ipaddress_excluded'] = v.excludedVirtualIpAddresses.map(ipAddress);
  if (v.virtualRoutes.length > 0) out['virtual_routes'] = v.virtualRoutes.map(route);
  if (v.virtualRules.length > 0) out['virtual_rules'] = v.virtualRules.map(rule);
  if (v.unicastPeers.length > 0) out['unicast_peer'] = v.unicastPeers.map((p) => ({ address: p.address, min_ttl: p.minTtl, max_ttl: p.maxTtl }));
  putTracks(out, v);
  out['old_unicast_checksum'] = v.oldUnicastChecksumNever ? 'never' : v.oldUnicastChecksum;
  const scripts: [string, Script | true | undefined][] = [
    ['notify_master', v.notifyMaster],
    ['notify_backup', v.notifyBackup],
    ['notify_fault', v.notifyFault],
    ['notify_stop', v.notifyStop],
    ['notify_deleted', v.notifyDeleted],
    ['notify', v.notify],
    ['notify_master_rx_lower_pri', v.notifyMasterRxLowerPri],
  ];
  for (const [k, s] of scripts) put(out, k, script(s));
  return out;
}

function syncGroup(g: VrrpSyncGroup): JsonObject {
  const out: JsonObject = { name: g.name, group: [...g.group] };
  putTracks(out, g);
  put(out, 'notify_master', script(g.notifyMaster));
  put(out, 'notify_backup', script(g.notifyBackup));
  put(out, 'notify_fault', script(g.notifyFault));
  put(out, 'notify_stop', script(g.notifyStop));
  put(out, 'notify', script(g.notify));
  put(out, 'smtp_alert', g.smtpAlert);
  out['global_tracking'] = g.globalTracking;
  out['sync_group_tracking_weight'] = g.syncGroupTrackingWeight;
  put(out, 'notify_priority_changes', g.notifyPriorityChanges);
  return out;
}

function forwarding(out: JsonObject, key: string, f: Forwarding): void {
  out[key] = f.method;
  put(out, 'tun_type', f.tunnelType);
  put(out, 'tun_port', f.tunnelPort);
  put(out, 'tun_flags', f.tunnelChecksum);
}

function connection(c: CheckerConnection): JsonObject {
  return plain(c, { bindTo: 'bindto' }) as JsonObject;
}

function url(u: HttpUrl): JsonObject {
  const out = plain(u, { statusCodes: null, regexNoMatch: null }) as JsonObject;
  out['status_code'] = u.statusCodes.map(([lo, hi]) => (lo === hi ? String(lo) : `${lo}-${hi}`));
  if (u.regexNoMatch) out['regex_no_match'] = true;
  return out;
}

function checker(c: Checker): JsonObject {
  switch (c.type) {
    case 'HTTP_GET':
    case 'SSL_GET': {
      const out = plain(c, { urls: null, bindTo: 'bindto' }) as JsonObject;
      out['url'] = c.urls.map(url);
      return out;
    }
    case 'SMTP_CHECK': {
      const out = plain(c, { hosts: null, bindTo: 'bindto' }) as JsonObject;
      if (c.hosts.length > 0) out['host'] = c.hosts.map(connection);
      return out;
    }
    case 'DNS_CHECK':
      return plain(c, { queryType: 'dns_type', bindTo: 'bindto' }) as JsonObject;
    default:
      return plain(c, { bindTo: 'bindto' }) as JsonObject;
  }
}

function realServer(r: RealServer): JsonObject {
  const out = plain(r, { forwarding: null, family: null, checkers: null, notifyUp: null, notifyDown: null }) as JsonObject;
  forwarding(out, 'lvs_method', r.forwarding);
  put(out, 'notify_up', script(r.notifyUp));
  put(out, 'notify_down', script(r.notifyDown));
  out['checkers'] = r.checkers.map(checker);
  return out;
}

function virtualServer(v: VirtualServer): JsonObject {
  const out: JsonObject = {};
  const a = v.address;
  if (a.kind === 'ip') {
    out['ip'] = a.ip;
    out['port'] = a.port;
  } else if (a.kind === 'fwmark') out['fwmark'] = a.fwmark;
  else out['group'] = a.group;
  const rest = plain(v, {
    address: null,
    family: null,
    ipFamily: null,
    forwarding: null,
    schedulerFlags: null,
    sorryServer: null,
    realServers: null,
    quorumUp: null,
    quorumDown: null,
  }) as JsonObject;
  Object.assign(out, { ip_family: v.family === 4 ? 'inet' : 'inet6' }, rest);
  forwarding(out, 'lb_kind', v.forwarding);
  for (const f of v.schedulerFlags) out[f] = true;
  put(out, 'quorum_up', script(v.quorumUp));
  put(out, 'quorum_down', script(v.quorumDown));
  if (v.sorryServer) {
    const s: JsonObject = { ip: v.sorryServer.ip, port: v.sorryServer.port };
    forwarding(s, 'lvs_method', v.sorryServer.forwarding);
    out['sorry_server'] = s;
    out['sorry_server_inhibit'] = v.sorryServer.inhibit;
  }
  out['real_servers'] = v.realServers.map(realServer);
  return out;
}

function vsGroup(g: VirtualServerGroup): JsonObject {
  return {
    name: g.name,
    entries: g.entries.map((e): JsonObject => {
      if (e.kind === 'fwmark') return { fwmark: e.fwmark, ...(e.family !== undefined ? { family: e.family === 4 ? 'inet' : 'inet6' } : {}) };
      const out: JsonObject = { ip: e.ip };
      put(out, 'range_end', e.rangeEnd);
      put(out, 'port', e.port);
      return out;
    }),
  };
}

export function dumpConfig(config: Config): JsonObject {
  const g = plain(config.globalDefs, { smtpServer: null, scriptUser: null }) as JsonObject;
  if (config.globalDefs.smtpServer) g['smtp_server'] = { host: config.globalDefs.smtpServer.host, port: config.globalDefs.smtpServer.port };
  if (config.globalDefs.scriptUser) g['script_user'] = plain(config.globalDefs.scriptUser) ?? null;
  const out: JsonObject = { global_defs: g };
  if (config.staticIpAddresses.length > 0) out['static_ipaddress'] = config.staticIpAddresses.map(ipAddress);
  if (config.staticRoutes.length > 0) out['static_routes'] = config.staticRoutes.map(route);
  if (config.staticRules.length > 0) out['static_rules'] = config.staticRules.map(rule);
  if (config.trackGroups.length > 0) out['track_groups'] = plain(config.trackGroups) ?? [];
  if (config.linkbeatInterfaces.length > 0) out['linkbeat_interfaces'] = plain(config.linkbeatInterfaces) ?? [];
  if (config.interfaceUpDownDelays.length > 0) out['interface_up_down_delays'] = plain(config.interfaceUpDownDelays) ?? [];
  if (config.garpGroups.length > 0) out['garp_groups'] = plain(config.garpGroups) ?? [];
  out['vrrp_scripts'] = config.vrrpScripts.map((s) => plain(s, { weightReverse: null }) as JsonObject);
  if (config.trackFiles.length > 0) out['track_files'] = config.trackFiles.map((t) => plain(t) as JsonObject);
  if (config.trackProcesses.length > 0) out['vrrp_track_processes'] = config.trackProcesses.map((t) => plain(t) as JsonObject);
  if (config.bfdInstances.length > 0) out['bfd_instances'] = config.bfdInstances.map((b) => plain(b, { neighborIp: 'neighbor_ip' }) as JsonObject);
  out['vrrp_sync_groups'] = config.vrrpSyncGroups.map(syncGroup);
  out['vrrp_instances'] = config.vrrpInstances.map(vrrpInstance);
  out['virtual_server_groups'] = config.virtualServerGroups.map(vsGroup);
  out['virtual_servers'] = config.virtualServers.map(virtualServer);
  if (config.ssl) out['SSL'] = plain(config.ssl) ?? {};
  return out;
}
