/**
 * Completes virtual servers as keepalived's check_data does: groups resolved, address family settled, defaults
 * (protocol TCP, lb_algo wlc, lb_kind NAT, delay_loop 60 s, connect_timeout 5 s, weight 1), and the inheritance
 * virtual server → real server → checker for retry / timeouts / alpha / inhibit_on_failure. Checker defaults:
 * retry 1 (DNS_CHECK 3, MISC_CHECK 0), delay_before_retry 1 s (HTTP_GET/SSL_GET 3 s, DNS_CHECK delay_loop),
 * warmup = delay_loop.
 */
import type { IpFamily } from '../transport/vrrp-link.js';
import type { Diagnostics } from './diagnostics.js';
import type { Checker, CheckerConnection, Forwarding, RealServer, TrackFile, BfdInstance, VirtualServer, VirtualServerGroup } from './model.js';
import type { GlobalDefs } from './keywords/global-defs.js';
import type { CheckerDraft, ConnectionDraft } from './keywords/checkers.js';
import type { RealServerDraft, VirtualServerDraft } from './keywords/virtual-server.js';

const NAT: Forwarding = { method: 'NAT' };

function describe(vs: VirtualServerDraft): string {
  const a = vs.address;
  if (a.kind === 'ip') return `virtual_server ${a.family === 6 ? `[${a.ip}]` : a.ip}:${a.port}`;
  if (a.kind === 'fwmark') return `virtual_server fwmark ${a.fwmark}`;
  return `virtual_server group ${a.group}`;
}

function connection(c: ConnectionDraft, connectTimeout: number): CheckerConnection {
  return { ...c, connectTimeout: c.connectTimeout ?? connectTimeout };
}

function finishChecker(c: CheckerDraft, rs: RealServer, refs: { trackFiles: readonly TrackFile[]; bfds: readonly BfdInstance[] }, owner: string, d: Diagnostics): Checker | undefined {
  const delayLoop = c.delayLoop ?? rs.delayLoop;
  const defaultRetry = c.type === 'DNS_CHECK' ? 3 : c.type === 'MISC_CHECK' ? 0 : 1;
  const defaultDelayBeforeRetry = c.type === 'HTTP_GET' || c.type === 'SSL_GET' ? 3 : c.type === 'DNS_CHECK' ? delayLoop : 1;
  const common = {
    at: c.at,
    retry: c.retry ?? rs.retry ?? defaultRetry,
    delayBeforeRetry: c.delayBeforeRetry ?? rs.delayBeforeRetry ?? defaultDelayBeforeRetry,
    warmup: c.warmup ?? rs.warmup ?? delayLoop,
    delayLoop,
    alpha: c.alpha ?? rs.alpha,
    logAllFailures: c.logAllFailures,
  };
  const conn = connection(c.connection, rs.connectTimeout);
  switch (c.type) {
    case 'HTTP_GET':
    case 'SSL_GET':
      if (c.urls.length === 0) {
        d.error(c.at, `${owner}: ${c.type} has no url - checker ignored`);
        return undefined;
      }
      return { type: c.type, ...common, ...conn, urls: c.urls, virtualhost: c.virtualhost ?? rs.virtualhost, httpProtocol: c.httpProtocol, enableSni: c.enableSni, fastRecovery: c.fastRecovery };
    case 'TCP_CHECK':
    case 'PING_CHECK':
      return { type: c.type, ...common, ...conn };
    case 'SMTP_CHECK':
      return { type: c.type, ...common, ...conn, heloName: c.heloName, hosts: c.hosts.map((h) => connection(h, conn.connectTimeout)) };
    case 'DNS_CHECK':
      return { type: c.type, ...common, ...conn, queryType: c.queryType ?? 'SOA', name: c.queryName ?? '.' };
    case 'UDP_CHECK': {
      const min = c.minReplyLength ?? 0;
      const max = c.maxReplyLength ?? 255;
      if (min > max) d.warning(c.at, `${owner}: UDP_CHECK min_reply_length ${min} > max_reply_length ${max}`);
      return { type: c.type, ...common, ...conn, payload: c.payload, requireReply: c.requireReply, minReplyLength: min, maxReplyLength: max };
    }
    case 'MISC_CHECK':
      if (c.miscPath === undefined) {
        d.error(c.at, `${owner}: MISC_CHECK has no misc_path - checker ignored`);
        return undefined;
      }
      return { type: c.type, ...common, miscPath: c.miscPath, miscTimeout: c.miscTimeout, miscDynamic: c.miscDynamic, user: c.user, group: c.group };
    case 'FILE_CHECK': {
      const file = refs.trackFiles.find((t) => t.name === c.trackFile);
      if (!file) {
        d.error(c.at, `${owner}: FILE_CHECK ${c.trackFile === undefined ? 'has no track_file' : `track_file '${c.trackFile}' is not defined`} - checker ignored`);
        return undefined;
      }
      return { type: c.type, at: c.at, trackFile: file.name, weight: c.weight ?? file.weight, weightReverse: c.weight === undefined ? file.weightReverse : c.weightReverse, dynamic: c.dynamic };
    }
    case 'BFD_CHECK':
      if (!refs.bfds.some((b) => b.name === c.bfdName)) {
        d.error(c.at, `${owner}: BFD_CHECK ${c.bfdName === undefined ? 'has no name' : `bfd_instance '${c.bfdName}' is not defined`} - checker ignored`);
        return undefined;
      }
      return { type: c.type, at: c.at, name: c.bfdName!, alpha: c.alpha ?? rs.alpha };
  }
}

function finishRealServer(rs: RealServerDraft, vs: VirtualServerDraft, family: IpFamily, g: GlobalDefs, refs: { trackFiles: readonly TrackFile[]; bfds: readonly BfdInstance[] }, d: Diagnostics): RealServer | undefined {
  const forwarding = rs.forwarding ?? vs.forwarding ?? NAT;
  const owner = `${describe(vs)} real_server ${rs.ip}:${rs.port}`;
  if (rs.family !== family && forwarding.method !== 'TUN') {
    d.error(rs.at, `${owner}: address family does not match the virtual server (only TUN real servers may differ)`);
    return undefined;
  }
  const base: RealServer = {
    at: rs.at,
    ip: rs.ip,
    port: rs.port,
    family: rs.family,
    weight: rs.weight ?? vs.weight ?? 1,
    forwarding,
    notifyUp: rs.notifyUp,
    notifyDown: rs.notifyDown,
    uthreshold: rs.uthreshold,
    lthreshold: rs.lthreshold,
    inhibitOnFailure: rs.inhibitOnFailure ?? vs.inhibitOnFailure ?? false,
    alpha: rs.alpha ?? vs.alpha ?? false,
    retry: rs.retry ?? vs.retry,
    delayBeforeRetry: rs.delayBeforeRetry ?? vs.delayBeforeRetry,
    warmup: rs.warmup ?? vs.warmup,
    connectTimeout: rs.connectTimeout ?? vs.connectTimeout ?? 5,
    delayLoop: rs.delayLoop ?? vs.delayLoop ?? 60,
    smtpAlert: rs.smtpAlert ?? g.smtpAlertChecker ?? g.smtpAlert,
    virtualhost: rs.virtualhost ?? vs.virtualhost,
    snmpName: rs.snmpName,
    checkers: [],
  };
  if (base.uthreshold !== undefined && base.lthreshold !== undefined && base.lthreshold > base.uthreshold) {
    d.warning(rs.at, `${owner}: lthreshold ${base.lthreshold} is above uthreshold ${base.uthreshold}`);
  }
  const checkers: Checker[] = [];
  for (const c of rs.checkers) {
    const checker = finishChecker(c, base, refs, owner, d);
    if (checker) checkers.push(checker);
  }
  return { ...base, checkers };
}

function groupFamily(group: VirtualServerGroup): IpFamily | undefined {
  for (const e of group.entries) if (e.family !== undefined) return e.family;
  return undefined;
}

export function finishVirtualServers(
  drafts: readonly VirtualServerDraft[],
  groups: readonly VirtualServerGroup[],
  g: GlobalDefs,
  refs: { trackFiles: readonly TrackFile[]; bfds: readonly BfdInstance[] },
  d: Diagnostics,
): VirtualServer[] {
  const out: VirtualServer[] = [];
  for (const vs of drafts) {
    const name = describe(vs);
    let family = vs.family;
    if (vs.address.kind === 'group') {
      const groupName = vs.address.group;
      const group = groups.find((x) => x.name === groupName);
      if (!group) {
        d.error(vs.at, `${name}: virtual_server_group '${groupName}' is not defined`);
        continue;
      }
      family ??= groupFamily(group);
    }
    if (family === undefined) {
      // keepalived: a fwmark service takes the family of its (non-tunnelled, or all same-family) real servers.
      const families = new Set(vs.realServers.map((rs) => rs.family));
      if (vs.sorryServer) families.add(vs.sorryServer.family);
      family = families.size === 1 ? [...families][0]! : 4;
    }
    let protocol = vs.protocol ?? 'TCP';
    if (vs.protocol !== undefined && vs.address.kind === 'fwmark') {
      d.warning(vs.at, `${name}: protocol is ignored for a fwmark service`);
      protocol = 'TCP';
    }
    if (vs.lbAlgo === undefined) d.warning(vs.at, `${name}: no lb_algo given - using wlc`);
    const forwarding = vs.forwarding ?? NAT;
    let sorryServer: VirtualServer['sorryServer'];
    if (vs.sorryServer) {
      const ssForwarding = vs.sorryServerForwarding ?? forwarding;
      if (vs.sorryServer.family !== family && ssForwarding.method !== 'TUN') {
        d.warning(vs.at, `${name}: sorry_server ${vs.sorryServer.ip} address family does not match - ignoring it`);
      } else sorryServer = { ...vs.sorryServer, forwarding: ssForwarding, inhibit: vs.sorryServerInhibit };
    }
    if (vs.hysteresis >= vs.quorum && vs.hysteresis > 0) d.warning(vs.at, `${name}: hysteresis ${vs.hysteresis} is not below quorum ${vs.quorum}`);
    const realServers: RealServer[] = [];
    for (const rs of vs.realServers) {
      if (realServers.some((r) => r.ip === rs.ip && r.port === rs.port)) {
        d.error(rs.at, `${name}: real_server ${rs.ip}:${rs.port} is given twice - ignoring the second`);
        continue;
      }
      const r = finishRealServer(rs, vs, family, g, refs, d);
      if (r) realServers.push(r);
    }
    out.push({
      at: { file: vs.at.file, line: vs.at.line },
      address: vs.address,
      family,
      protocol,
      lbAlgo: vs.lbAlgo ?? 'wlc',
      forwarding,
      schedulerFlags: vs.schedulerFlags,
      persistenceTimeout: vs.persistenceTimeout,
      persistenceGranularity: vs.persistenceGranularity,
      persistenceEngine: vs.persistenceEngine,
      haSuspend: vs.haSuspend,
      smtpAlert: vs.smtpAlert ?? g.smtpAlertChecker ?? g.smtpAlert,
      virtualhost: vs.virtualhost,
      snmpName: vs.snmpName,
      alpha: vs.alpha ?? false,
      omega: vs.omega,
      quorum: vs.quorum,
      hysteresis: vs.hysteresis,
      quorumUp: vs.quorumUp,
      quorumDown: vs.quorumDown,
      ipFamily: vs.ipFamily,
      sorryServer,
      connectTimeout: vs.connectTimeout ?? 5,
      retry: vs.retry,
      delayBeforeRetry: vs.delayBeforeRetry,
      warmup: vs.warmup,
      delayLoop: vs.delayLoop ?? 60,
      inhibitOnFailure: vs.inhibitOnFailure ?? false,
      weight: vs.weight ?? 1,
      realServers,
    });
  }
  return out;
}
