/**
 * The resolved configuration written back as keepalived.conf text (`vigil config dump` without --json): every
 * value explicit, defaults included, includes / definitions / sequences expanded. Reading the text again gives
 * the same configuration (tested as a round trip).
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
import { GLOBAL_KEYWORDS, ROOT_GLOBAL_KEYWORDS } from './keywords/global-defs.js';
import { camelCase, flag } from './keywords/value-specs.js';
import { ipAddressOptions, routeOptions, ruleSelectors, trackingOptions, type LineOption } from './line-options.js';
import { TRACK_BLOCKS, type TrackedObject, type TrackOwner } from './track-blocks.js';

type Value = string | number | boolean | undefined;

/** A word as keepalived reads it: quoted when it holds white space or a character the reader treats specially. */
function word(w: string | number): string {
  const s = String(w);
  return s === '' || /[\s{}#!"\\]/.test(s) || /^[$@~]/.test(s) || s.startsWith('include') ? `"${s}"` : s;
}

class Out {
  private readonly lines: string[] = [];
  private depth = 0;

  line(...words: (string | number)[]): void {
    this.lines.push(`${'    '.repeat(this.depth)}${words.join(' ')}`);
  }

  /** `keyword value` when the value is set; a boolean true gives the bare keyword, false `keyword off`. */
  kv(keyword: string, value: Value, falseAsOff = true): void {
    if (value === undefined) return;
    if (value === true) this.line(keyword);
    else if (value === false) {
      if (falseAsOff) this.line(keyword, 'off');
    } else this.line(keyword, word(value));
  }

  flag(keyword: string, on: boolean): void {
    if (on) this.line(keyword);
  }

  script(keyword: string, s: Script | true | undefined): void {
    if (s === undefined) return;
    if (s === true) this.line(keyword);
    else this.line(keyword, word(s.command), ...(s.user !== undefined ? [word(s.user)] : []), ...(s.group !== undefined ? [word(s.group)] : []));
  }

  block(head: string, body: () => void): void {
    this.line(`${head} {`);
    this.depth++;
    body();
    this.depth--;
    this.line('}');
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

function globalValue(o: Out, keyword: string, value: unknown): void {
  if (value === undefined) return;
  const spec = GLOBAL_KEYWORDS[keyword as keyof typeof GLOBAL_KEYWORDS];
  if (typeof value === 'boolean') {
    if (spec === flag) o.flag(keyword, value);
    else o.kv(keyword, value);
    return;
  }
  if (typeof value === 'string' || typeof value === 'number') return o.kv(keyword, value);
  if (Array.isArray(value)) return o.line(keyword, ...value.map((v: string | number) => word(v)));
  const v = value as Record<string, unknown>;
  switch (keyword) {
    case 'smtp_server':
      return o.line(keyword, word(v['host'] as string), v['port'] as number);
    case 'script_user':
      return o.line(keyword, word(v['user'] as string), ...(v['group'] !== undefined ? [word(v['group'] as string)] : []));
    case 'garp_extra_if':
    case 'vrrp_garp_extra_if':
      return o.line(keyword, ...(v['all'] === true ? ['all'] : []), v['interval'] as number);
    case 'lvs_timeouts':
      return o.line(keyword, ...Object.entries(v).flatMap(([k, n]) => (k === 'at' || n === undefined ? [] : [k, String(n)])));
    case 'lvs_sync_daemon': {
      const parts: (string | number)[] = [word(v['interface'] as string)];
      if (v['instance'] !== undefined) parts.push('inst', word(v['instance'] as string));
      for (const k of ['id', 'maxlen', 'port', 'ttl', 'group']) if (v[k] !== undefined) parts.push(k, v[k] as string | number);
      return o.line(keyword, ...parts);
    }
    default:
      // Script-like values: { command, user?, group? }.
      if (typeof v['command'] === 'string') return o.script(keyword, v as unknown as Script);
  }
}

function renderGlobal(o: Out, c: Config): void {
  const g = c.globalDefs as unknown as Record<string, unknown>;
  const root = new Set<string>(ROOT_GLOBAL_KEYWORDS);
  for (const k of ROOT_GLOBAL_KEYWORDS) globalValue(o, k, g[camelCase(k)]);
  o.block('global_defs', () => {
    if (c.globalDefs.notificationEmail.length > 0) o.block('notification_email', () => c.globalDefs.notificationEmail.forEach((e) => o.line(word(e))));
    for (const k of Object.keys(GLOBAL_KEYWORDS)) if (!root.has(k)) globalValue(o, k, g[camelCase(k)]);
  });
}

/** Line options as words: `keyword value`, or the bare keyword. */
function pushOptions(w: (string | number)[], options: readonly LineOption[]): void {
  for (const [k, v] of options) {
    if (v === true) w.push(k);
    else if (v !== undefined && v !== false) w.push(k, word(v));
  }
}

/** The ip options a route or rule line ends with, as given: a flag alone, else its words. */
function pushIpOptions(w: (string | number)[], options: readonly (readonly [string, string])[]): void {
  for (const [k, v] of options) v === '' ? w.push(k) : w.push(k, ...v.split(' ').map(word));
}

function ipAddress(a: IpAddress): string {
  const w: (string | number)[] = [`${a.address}/${a.prefix}`];
  pushOptions(w, ipAddressOptions(a));
  return w.join(' ');
}

function route(r: Route): string {
  const w: (string | number)[] = [];
  if (r.type !== 'unicast') w.push(r.type);
  w.push(`${r.destination}/${r.prefix}`);
  pushOptions(w, routeOptions(r));
  for (const h of r.nexthops) {
    w.push('nexthop');
    pushOptions(w, [
      ['via', h.via],
      ['dev', h.dev],
      ['weight', h.weight],
      ['onlink', h.onlink],
      ['realms', h.realms],
    ]);
    if (h.encap !== undefined) w.push('encap', ...h.encap.split(' ').map(word));
  }
  pushOptions(w, trackingOptions(r));
  pushIpOptions(w, r.options);
  return w.join(' ');
}

function rule(r: Rule): string {
  const w: (string | number)[] = [];
  pushOptions(w, ruleSelectors(r));
  if (r.action === 'goto') pushOptions(w, [['goto', r.gotoTarget]]);
  else if (r.action !== undefined) w.push(word(r.action));
  pushOptions(w, trackingOptions(r));
  pushIpOptions(w, r.options);
  if (r.family === 6 && r.from === undefined && r.to === undefined) w.push('inet6');
  return w.join(' ');
}

/**
 * A track_* block. `objects` are the tracked blocks (vrrp_script …): a line that leaves out reverse / noreverse
 * takes its object's direction, so `noreverse` is written where the object's is `reverse` and the line's is not.
 */
function tracks(o: Out, keyword: string, list: readonly TrackedByName[], objects: readonly TrackedObject[]): void {
  if (list.length === 0) return;
  const objectReverse = (name: string): boolean => objects.some((x) => x.name === name && x.weightReverse);
  o.block(keyword, () => {
    for (const t of list) {
      const direction = t.reverse === true ? ['reverse'] : t.reverse === false && t.weight !== undefined && objectReverse(t.name) ? ['noreverse'] : [];
      o.line(word(t.name), ...(t.weight !== undefined ? ['weight', t.weight, ...direction] : []));
    }
  });
}

function allTracks(o: Out, owner: TrackOwner, c: Config): void {
  for (const { keyword, list, objects } of TRACK_BLOCKS) tracks(o, keyword, list(owner), objects(c));
}

function weight(o: Out, w: number, reverse: boolean): void {
  o.line('weight', w, ...(reverse ? ['reverse'] : []));
}

function syncGroup(o: Out, g: VrrpSyncGroup, c: Config): void {
  o.block(`vrrp_sync_group ${word(g.name)}`, () => {
    o.block('group', () => g.group.forEach((m) => o.line(word(m))));
    allTracks(o, g, c);
    o.script('notify_master', g.notifyMaster);
    o.script('notify_backup', g.notifyBackup);
    o.script('notify_fault', g.notifyFault);
    o.script('notify_stop', g.notifyStop);
    o.script('notify', g.notify);
    o.kv('smtp_alert', g.smtpAlert);
    o.flag('global_tracking', g.globalTracking);
    o.flag('sync_group_tracking_weight', g.syncGroupTrackingWeight);
    o.kv('notify_priority_changes', g.notifyPriorityChanges);
  });
}

function instance(o: Out, v: VrrpInstance, c: Config): void {
  o.block(`vrrp_instance ${word(v.name)}`, () => {
    o.line('state', v.state);
    if (v.interface !== '') o.line('interface', word(v.interface));
    o.kv('vrf', v.vrf);
    o.line('virtual_router_id', v.virtualRouterId);
    o.line('priority', v.priority);
    o.line('advert_int', v.advertInt);
    o.line('version', v.version);
    o.flag('native_ipv6', v.nativeIpv6);
    o.flag('nopreempt', v.nopreempt);
    o.line('preempt_delay', v.preemptDelaySeconds);
    o.kv('lower_prio_no_advert', v.lowerPrioNoAdvert);
    o.kv('higher_prio_send_advert', v.higherPrioSendAdvert);
    if (v.authentication) {
      o.block('authentication', () => {
        o.line('auth_type', v.authentication!.type);
        o.line('auth_pass', word(v.authentication!.password));
      });
    }
    if (v.virtualIpAddresses.length > 0) o.block('virtual_ipaddress', () => v.virtualIpAddresses.forEach((a) => o.line(ipAddress(a))));
    if (v.excludedVirtualIpAddresses.length > 0) o.block('virtual_ipaddress_excluded', () => v.excludedVirtualIpAddresses.forEach((a) => o.line(ipAddress(a))));
    if (v.virtualRoutes.length > 0) o.block('virtual_routes', () => v.virtualRoutes.forEach((r) => o.line(route(r))));
    if (v.virtualRules.length > 0) o.block('virtual_rules', () => v.virtualRules.forEach((r) => o.line(rule(r))));
    if (v.unicastSrcIp !== undefined) o.line(v.mcastSrcIp !== undefined ? 'mcast_src_ip' : 'unicast_src_ip', v.unicastSrcIp);
    o.kv('mcast_dst_ip', v.mcastDstIp);
    if (v.unicastPeers.length > 0) {
      o.block('unicast_peer', () => v.unicastPeers.forEach((p) => o.line(p.address, ...(p.minTtl !== 0 ? ['min_ttl', p.minTtl] : []), ...(p.maxTtl !== 255 ? ['max_ttl', p.maxTtl] : []))));
      o.flag('check_unicast_src', v.checkUnicastSrc);
    }
    o.kv('unicast_ttl', v.unicastTtl);
    o.flag('unicast_fault_no_peer', v.unicastFaultNoPeer);
    o.flag('track_src_ip', v.trackSrcIp);
    o.flag('dont_track_primary', v.dontTrackPrimary);
    allTracks(o, v, c);
    if (v.useVmac) o.line('use_vmac', ...[v.useVmac.interface, v.useVmac.mac].filter((x): x is string => x !== undefined).map(word));
    o.flag('use_vmac_addr', v.useVmacAddr);
    o.flag('vmac_xmit_base', v.vmacXmitBase);
    if (v.useIpvlan) o.line('use_ipvlan', ...[v.useIpvlan.interface, v.useIpvlan.address, v.useIpvlan.mode].filter((x): x is string => x !== undefined).map(word));
    o.line(v.accept ? 'accept' : 'no_accept');
    o.kv('skip_check_adv_addr', v.skipCheckAdvAddr);
    o.kv('strict_mode', v.strictMode);
    o.flag('promote_secondaries', v.promoteSecondaries);
    o.flag('linkbeat_use_polling', v.linkbeatUsePolling);
    o.line('debug', v.debug);
    o.script('notify_master', v.notifyMaster);
    o.script('notify_backup', v.notifyBackup);
    o.script('notify_fault', v.notifyFault);
    o.script('notify_stop', v.notifyStop);
    o.script('notify_deleted', v.notifyDeleted);
    o.script('notify', v.notify);
    o.script('notify_master_rx_lower_pri', v.notifyMasterRxLowerPri);
    o.kv('notify_priority_changes', v.notifyPriorityChanges);
    o.kv('smtp_alert', v.smtpAlert);
    o.line('garp_master_delay', v.garpMasterDelay);
    o.line('garp_master_repeat', v.garpMasterRepeat);
    o.line('garp_master_refresh', v.garpMasterRefresh);
    o.line('garp_master_refresh_repeat', v.garpMasterRefreshRepeat);
    o.kv('garp_lower_prio_delay', v.garpLowerPrioDelay);
    o.kv('garp_lower_prio_repeat', v.garpLowerPrioRepeat);
    if (v.garpExtraIf) o.line('garp_extra_if', ...(v.garpExtraIf.all ? ['all'] : []), v.garpExtraIf.interval);
    o.line('down_timer_adverts', v.downTimerAdverts);
    o.kv('kernel_rx_buf_size', v.kernelRxBufSize);
    o.kv('announce_table', v.announceTable);
    if (v.oldUnicastChecksumNever) o.line('old_unicast_checksum', 'never');
    else o.flag('old_unicast_checksum', v.oldUnicastChecksum);
    o.kv('lvs_sync_daemon_interface', v.lvsSyncDaemonInterface);
  });
}

function forwarding(o: Out, keyword: string, f: Forwarding): void {
  const w: (string | number)[] = [f.method];
  if (f.tunnelType !== undefined) w.push('type', f.tunnelType);
  if (f.tunnelPort !== undefined) w.push('port', f.tunnelPort);
  if (f.tunnelChecksum !== undefined) w.push(f.tunnelChecksum);
  o.line(keyword, ...w);
}

function connection(o: Out, c: Partial<CheckerConnection>): void {
  o.kv('connect_ip', c.connectIp);
  o.kv('connect_port', c.connectPort);
  o.kv('bindto', c.bindTo);
  o.kv('bind_port', c.bindPort);
  o.kv('bind_if', c.bindIf);
  o.kv('connect_timeout', c.connectTimeout);
  o.kv('fwmark', c.fwmark);
}

function url(o: Out, u: HttpUrl): void {
  o.block('url', () => {
    o.line('path', word(u.path));
    o.kv('digest', u.digest);
    o.line('status_code', ...u.statusCodes.map(([lo, hi]) => (lo === hi ? String(lo) : `${lo}-${hi}`)));
    o.kv('virtualhost', u.virtualhost);
    o.kv('regex', u.regex);
    o.flag('regex_no_match', u.regexNoMatch);
    if (u.regexOptions) o.line('regex_options', ...u.regexOptions.map(word));
    o.kv('regex_min_offset', u.regexMinOffset);
    o.kv('regex_max_offset', u.regexMaxOffset);
    if (u.regexStack) o.line('regex_stack', u.regexStack[0], u.regexStack[1]);
  });
}

function checker(o: Out, c: Checker): void {
  o.block(c.type, () => {
    if (c.type === 'FILE_CHECK') {
      o.line('track_file', word(c.trackFile));
      if (c.weight !== undefined) weight(o, c.weight, c.weightReverse);
      return;
    }
    if (c.type === 'BFD_CHECK') {
      o.line('name', word(c.name));
      o.kv('alpha', c.alpha);
      return;
    }
    if (c.type !== 'MISC_CHECK') connection(o, c);
    o.line('retry', c.retry);
    o.line('delay_before_retry', c.delayBeforeRetry);
    o.line('warmup', c.warmup);
    o.line('delay_loop', c.delayLoop);
    o.kv('alpha', c.alpha);
    o.kv('log_all_failures', c.logAllFailures);
    switch (c.type) {
      case 'HTTP_GET':
      case 'SSL_GET':
        o.kv('virtualhost', c.virtualhost);
        o.kv('http_protocol', c.httpProtocol);
        o.kv('enable_sni', c.enableSni);
        o.kv('fast_recovery', c.fastRecovery);
        c.urls.forEach((u) => url(o, u));
        break;
      case 'SMTP_CHECK':
        o.kv('helo_name', c.heloName);
        c.hosts.forEach((h) => o.block('host', () => connection(o, h)));
        break;
      case 'DNS_CHECK':
        o.line('type', c.queryType);
        o.line('name', word(c.name));
        break;
      case 'UDP_CHECK':
        if (c.payload !== undefined) o.line('payload', c.payload);
        if (c.requireReply !== undefined) o.line('require_reply', ...(c.requireReply === true ? [] : [c.requireReply]));
        o.line('min_reply_length', c.minReplyLength);
        o.line('max_reply_length', c.maxReplyLength);
        break;
      case 'MISC_CHECK':
        o.line('misc_path', word(c.miscPath));
        o.kv('misc_timeout', c.miscTimeout);
        o.flag('misc_dynamic', c.miscDynamic);
        if (c.user !== undefined) o.line('user', word(c.user), ...(c.group !== undefined ? [word(c.group)] : []));
        break;
      default:
        break;
    }
  });
}

function realServer(o: Out, r: RealServer): void {
  o.block(`real_server ${r.ip} ${r.port}`, () => {
    o.line('weight', r.weight);
    forwarding(o, 'lvs_method', r.forwarding);
    o.script('notify_up', r.notifyUp);
    o.script('notify_down', r.notifyDown);
    o.kv('uthreshold', r.uthreshold);
    o.kv('lthreshold', r.lthreshold);
    o.kv('inhibit_on_failure', r.inhibitOnFailure);
    o.kv('alpha', r.alpha);
    o.kv('retry', r.retry);
    o.kv('delay_before_retry', r.delayBeforeRetry);
    o.kv('warmup', r.warmup);
    o.line('connect_timeout', r.connectTimeout);
    o.line('delay_loop', r.delayLoop);
    o.kv('smtp_alert', r.smtpAlert);
    o.kv('virtualhost', r.virtualhost);
    o.kv('snmp_name', r.snmpName);
    r.checkers.forEach((c) => checker(o, c));
  });
}

function virtualServer(o: Out, v: VirtualServer, groups: readonly VirtualServerGroup[]): void {
  const a = v.address;
  const head = a.kind === 'ip' ? `${a.ip} ${a.port}` : a.kind === 'fwmark' ? `fwmark ${a.fwmark}` : `group ${word(a.group)}`;
  const byAddress = a.kind === 'ip' || (a.kind === 'group' && (groups.find((g) => g.name === a.group)?.entries.some((e) => e.kind === 'address') ?? false));
  o.block(`virtual_server ${head}`, () => {
    o.kv('ip_family', v.ipFamily);
    o.line('lb_algo', v.lbAlgo);
    forwarding(o, 'lb_kind', v.forwarding);
    v.schedulerFlags.forEach((f) => o.line(f));
    o.kv('persistence_engine', v.persistenceEngine);
    o.kv('persistence_timeout', v.persistenceTimeout);
    o.kv('persistence_granularity', v.persistenceGranularity);
    if (byAddress) o.line('protocol', v.protocol);
    o.flag('ha_suspend', v.haSuspend);
    o.kv('announce_table', v.announceTable);
    o.kv('smtp_alert', v.smtpAlert);
    o.kv('virtualhost', v.virtualhost);
    o.kv('snmp_name', v.snmpName);
    o.flag('alpha', v.alpha);
    o.flag('omega', v.omega);
    o.line('quorum', v.quorum);
    o.line('hysteresis', v.hysteresis);
    o.script('quorum_up', v.quorumUp);
    o.script('quorum_down', v.quorumDown);
    if (v.sorryServer) {
      o.line('sorry_server', v.sorryServer.ip, v.sorryServer.port);
      o.kv('sorry_server_inhibit', v.sorryServer.inhibit);
      forwarding(o, 'sorry_server_lvs_method', v.sorryServer.forwarding);
    }
    o.line('connect_timeout', v.connectTimeout);
    o.kv('retry', v.retry);
    o.kv('delay_before_retry', v.delayBeforeRetry);
    o.kv('warmup', v.warmup);
    o.line('delay_loop', v.delayLoop);
    o.kv('inhibit_on_failure', v.inhibitOnFailure);
    o.line('weight', v.weight);
    v.realServers.forEach((r) => realServer(o, r));
  });
}

/** keepalived.conf text of a resolved configuration. */
export function renderConfig(c: Config): string {
  const o = new Out();
  renderGlobal(o, c);
  if (c.staticIpAddresses.length > 0) o.block('static_ipaddress', () => c.staticIpAddresses.forEach((a) => o.line(ipAddress(a))));
  if (c.staticRoutes.length > 0) o.block('static_routes', () => c.staticRoutes.forEach((r) => o.line(route(r))));
  if (c.staticRules.length > 0) o.block('static_rules', () => c.staticRules.forEach((r) => o.line(rule(r))));
  for (const g of c.trackGroups) o.block(`track_group ${word(g.name)}`, () => o.block('group', () => g.group.forEach((m) => o.line(word(m)))));
  if (c.linkbeatInterfaces.length > 0) o.block('linkbeat_interfaces', () => c.linkbeatInterfaces.forEach((l) => o.line(word(l.name), ...(l.type ? [l.type] : []))));
  if (c.interfaceUpDownDelays.length > 0) o.block('interface_up_down_delays', () => c.interfaceUpDownDelays.forEach((x) => o.line(word(x.interface), x.downDelay, x.upDelay)));
  for (const g of c.garpGroups) {
    o.block('garp_group', () => {
      o.kv('garp_interval', g.garpInterval);
      o.kv('gna_interval', g.gnaInterval);
      o.kv('interface', g.interface);
      if (g.interfaces.length > 0) o.block('interfaces', () => g.interfaces.forEach((i) => o.line(word(i))));
    });
  }
  for (const s of c.vrrpScripts) {
    o.block(`vrrp_script ${word(s.name)}`, () => {
      o.line('script', word(s.script));
      o.line('interval', s.interval);
      o.line('timeout', s.timeout);
      weight(o, s.weight, s.weightReverse);
      o.line('rise', s.rise);
      o.line('fall', s.fall);
      if (s.user !== undefined) o.line('user', word(s.user), ...(s.group !== undefined ? [word(s.group)] : []));
      o.flag('init_fail', s.initFail);
    });
  }
  for (const t of c.trackFiles) {
    o.block(`track_file ${word(t.name)}`, () => {
      o.line('file', word(t.file));
      weight(o, t.weight, t.weightReverse);
      if (t.initFile) o.line('init_file', t.initFile.value, ...(t.initFile.overwrite ? ['overwrite'] : []));
    });
  }
  for (const p of c.trackProcesses) {
    o.block(`vrrp_track_process ${word(p.name)}`, () => {
      o.line('process', word(p.process), ...p.params.map(word));
      // keepalived spells exact matching as a bare `param_match` (and implies it when parameters are given).
      if (p.paramMatch === 'exact') o.line('param_match');
      else o.kv('param_match', p.paramMatch);
      weight(o, p.weight, p.weightReverse);
      if (p.quorum > 0) o.line('quorum', p.quorum);
      o.kv('quorum_max', p.quorumMax);
      if (p.forkDelay > 0) o.line('fork_delay', p.forkDelay);
      if (p.terminateDelay > 0) o.line('terminate_delay', p.terminateDelay);
      o.flag('full_command', p.fullCommand);
    });
  }
  for (const b of c.bfdInstances) {
    o.block(`bfd_instance ${word(b.name)}`, () => {
      o.kv('neighbor_ip', b.neighborIp);
      o.kv('source_ip', b.sourceIp);
      o.line('min_rx', b.minRx);
      o.line('min_tx', b.minTx);
      o.line('idle_tx', b.idleTx);
      o.line('multiplier', b.multiplier);
      o.flag('passive', b.passive);
      o.kv('ttl', b.ttl);
      o.line('max_hops', b.maxHops);
      weight(o, b.weight, b.weightReverse);
      o.flag('vrrp', b.vrrp);
      o.flag('checker', b.checker);
    });
  }
  c.vrrpSyncGroups.forEach((g) => syncGroup(o, g, c));
  c.vrrpInstances.forEach((v) => instance(o, v, c));
  for (const g of c.virtualServerGroups) {
    o.block(`virtual_server_group ${word(g.name)}`, () => {
      for (const e of g.entries) {
        if (e.kind === 'fwmark') o.line('fwmark', e.fwmark, ...(e.family !== undefined ? [e.family === 4 ? 'inet' : 'inet6'] : []));
        else o.line(e.rangeEnd !== undefined ? `${e.ip}-${e.rangeEnd}` : e.ip, ...(e.port !== undefined ? [e.port] : []));
      }
    });
  }
  c.virtualServers.forEach((v) => virtualServer(o, v, c.virtualServerGroups));
  if (c.ssl) {
    const ssl = c.ssl;
    o.block('SSL', () => {
      o.kv('password', ssl.password);
      o.kv('ca', ssl.ca);
      o.kv('certificate', ssl.certificate);
      o.kv('key', ssl.key);
    });
  }
  return o.text();
}
