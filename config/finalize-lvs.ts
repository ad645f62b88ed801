/**
 * Completes virtual servers as keepalived's check_data does, and is the one place that applies keepalived's
 * defaults to them (the runtime only converts units and shapes, actors/checks/resolve-checkers.ts): groups
 * resolved, address family settled, defaults (protocol UDP when not given - keepalived 2.2 does that, and says
 * so - lb_algo wlc, lb_kind NAT, delay_loop 60 s, connect_timeout 5 s, weight 1, a real or sorry server's port
 * 0 on an address service is the service's port), and the inheritance virtual server → real server → checker
 * for retry / timeouts / alpha / inhibit_on_failure / virtualhost. Checker defaults: retry 1 (DNS_CHECK 3,
 * MISC_CHECK 0), delay_before_retry 1 s (HTTP_GET/SSL_GET 3 s, DNS_CHECK delay_loop), warmup = delay_loop,
 * http_protocol 1.0, helo_name smtpchecker.keepalived.org, misc_timeout = the virtual server's delay_loop,
 * DNS_CHECK type SOA name ".", UDP_CHECK reply lengths 0-255 and its 32-byte payload, FILE_CHECK weight of its
 * track_file and its real server's delay_loop and warmup.
 */
import type { IpFamily } from '../protocol/ip.js';
import type { Diagnostics, SourcePosition } from './diagnostics.js';
import type { BfdInstance, Checker, Forwarding, RealServer, Script, TrackFile, VirtualServer, VirtualServerAddress, VirtualServerGroup, VrrpInstance } from './model.js';
import { canonicalIp } from '../protocol/ip.js';
import { addressRangeSize } from '../protocol/ip-range.js';
import { parseCommandLine } from './command-line.js';
import type { GlobalDefs, LvsSyncDaemon } from './keywords/global-defs.js';
import type { CheckerDraft } from './keywords/checkers.js';
import type { RealServerDraft, VirtualServerDraft } from './keywords/virtual-server.js';

const NAT: Forwarding = { method: 'NAT' };

/** SMTP_CHECK `helo_name` when none is given (keepalived SMTP_DEFAULT_HELO). */
export const DEFAULT_HELO_NAME = 'smtpchecker.keepalived.org';
/** keepalived's UDP_CHECK datagram without `payload` (core/layer4.c set_buf): "keepalived check - " to 32 bytes. */
const DEFAULT_UDP_PAYLOAD_HEX = Buffer.from('keepalived check - '.repeat(2).slice(0, 32), 'latin1').toString('hex');

function describe(vs: VirtualServerDraft): string {
  const a = vs.address;
  if (a.kind === 'ip') return `virtual_server ${a.family === 6 ? `[${a.ip}]` : a.ip}:${a.port}`;
  if (a.kind === 'fwmark') return `virtual_server fwmark ${a.fwmark}`;
  return `virtual_server group ${a.group}`;
}

/** Why keepalived would make no command of a script line, or undefined. */
function commandProblem(line: string): string | undefined {
  const parsed = parseCommandLine(line);
  return 'problem' in parsed ? parsed.problem : undefined;
}

/**
 * A script line keepalived cannot split into argv is dropped (notify.c notify_script_init logs "Unable to parse
 * script"; an unterminated quote is a configuration error).
 */
function usableScript(script: Script | undefined, at: SourcePosition, what: () => string, d: Diagnostics): Script | undefined {
  if (script === undefined) return undefined;
  const problem = commandProblem(script.command);
  if (problem === undefined) return script;
  const message = `${what()}: cannot split '${script.command}' into a command (${problem}) - ignoring it`;
  if (problem.startsWith('missing terminating')) d.error(at, message);
  else d.warning(at, message);
  return undefined;
}

/** Completes a checker in place (they can be tens of thousands) and returns it, or undefined when unusable. */
function finishChecker(c: CheckerDraft, rs: RealServer, vsDelayLoop: number, refs: { trackFiles: readonly TrackFile[]; bfds: readonly BfdInstance[] }, owner: () => string, d: Diagnostics): Checker | undefined {
  if (c.type === 'FILE_CHECK') {
    const file = refs.trackFiles.find((t) => t.name === c.trackFile);
    if (!file) {
      d.error(c.at, `${owner()}: FILE_CHECK ${c.trackFile === undefined ? 'has no track_file' : `track_file '${c.trackFile}' is not defined`} - checker ignored`);
      return undefined;
    }
    if (c.weight === undefined) {
      c.weight = file.weight;
      c.weightReverse = file.weightReverse;
    }
    c.weightReverse ??= false;
    // Read every delay_loop of its real server, starting as a checker of that real server would.
    c.delayLoop = rs.delayLoop;
    c.warmup = rs.warmup ?? rs.delayLoop;
    return c as Checker;
  }
  if (c.type === 'BFD_CHECK') {
    // keepalived check_bfd.c: the name must be a bfd_instance whose events go to the checkers (`checker`, or
    // neither `vrrp` nor `checker`), and a real server monitors a session once.
    if (!refs.bfds.some((b) => b.name === c.name && b.checker)) {
      d.error(c.at, `${owner()}: BFD_CHECK ${c.name === undefined ? 'has no name' : `bfd_instance '${c.name}' is not defined`} - checker ignored`);
      return undefined;
    }
    c.alpha ??= rs.alpha;
    return c as Checker;
  }
  const delayLoop = (c.delayLoop ??= rs.delayLoop);
  c.retry ??= rs.retry ?? (c.type === 'DNS_CHECK' ? 3 : c.type === 'MISC_CHECK' ? 0 : 1);
  c.delayBeforeRetry ??= rs.delayBeforeRetry ?? (c.type === 'HTTP_GET' || c.type === 'SSL_GET' ? 3 : c.type === 'DNS_CHECK' ? delayLoop : 1);
  c.warmup ??= rs.warmup ?? delayLoop;
  c.alpha ??= rs.alpha;
  c.logAllFailures ??= false;
  if (c.type !== 'MISC_CHECK') c.connectTimeout ??= rs.connectTimeout;
  // keepalived check_conn_opts: a link-local address is only reachable through the interface bind_if names.
  if (c.type !== 'MISC_CHECK' && (c.type !== 'SMTP_CHECK' || c.hosts === undefined || c.connectIp !== undefined)) {
    const dst = c.connectIp ?? rs.ip;
    if (isLinkLocal(dst) && c.bindIf === undefined) {
      d.error(c.at, `${owner()}: Checker link local address ${dst} requires a bind_if - checker ignored`);
      return undefined;
    }
  }
  switch (c.type) {
    case 'HTTP_GET':
    case 'SSL_GET':
      if (c.urls === undefined) {
        d.error(c.at, `${owner()}: ${c.type} has no url - checker ignored`);
        return undefined;
      }
      c.virtualhost ??= rs.virtualhost;
      c.httpProtocol ??= '1.0';
      c.enableSni ??= false;
      c.fastRecovery ??= false;
      break;
    case 'SMTP_CHECK':
      c.heloName ??= DEFAULT_HELO_NAME;
      c.hosts = (c.hosts ?? []).flatMap((h) => {
        const dst = h.connectIp ?? rs.ip;
        if (!isLinkLocal(dst) || h.bindIf !== undefined) return [{ ...h, connectTimeout: h.connectTimeout ?? c.connectTimeout }];
        d.error(c.at, `${owner()}: Checker link local address ${dst} requires a bind_if - host ignored`);
        return [];
      });
      break;
    case 'DNS_CHECK':
      c.queryType ??= 'SOA';
      c.name ??= '.';
      break;
    case 'UDP_CHECK':
      c.payload ??= DEFAULT_UDP_PAYLOAD_HEX;
      c.minReplyLength ??= 0;
      c.maxReplyLength ??= 255;
      if (c.minReplyLength > c.maxReplyLength) d.warning(c.at, `${owner()}: UDP_CHECK min_reply_length ${c.minReplyLength} > max_reply_length ${c.maxReplyLength}`);
      break;
    case 'MISC_CHECK': {
      if (c.miscPath === undefined) {
        d.error(c.at, `${owner()}: MISC_CHECK has no misc_path - checker ignored`);
        return undefined;
      }
      // keepalived check_misc.c misc_end_handler: a path that does not split into a command drops the checker.
      const problem = commandProblem(c.miscPath);
      if (problem !== undefined) {
        d.error(c.at, `${owner()}: MISC_CHECK misc_path '${c.miscPath}' is not a command (${problem}) - checker ignored`);
        return undefined;
      }
      // keepalived check_misc.c: no misc_timeout (or 0) waits the virtual server's delay_loop.
      if (!c.miscTimeout) c.miscTimeout = vsDelayLoop;
      c.miscDynamic ??= false;
      break;
    }
  }
  return c as Checker;
}

/** Completes a real server in place with what it inherits from its virtual server. */
function finishRealServer(rs: RealServerDraft, vs: VirtualServerDraft, family: IpFamily, g: GlobalDefs, refs: { trackFiles: readonly TrackFile[]; bfds: readonly BfdInstance[] }, d: Diagnostics): RealServer | undefined {
  const forwarding = (rs.forwarding ??= vs.forwarding ?? NAT);
  // Built only when a message needs it: there can be tens of thousands of real servers.
  const owner = (): string => `${describe(vs)} real_server ${rs.ip}:${rs.port}`;
  if (rs.family !== family && forwarding.method !== 'TUN') {
    d.error(rs.at, `${owner()}: address family does not match the virtual server (only TUN real servers may differ)`);
    return undefined;
  }
  rs.weight ??= vs.weight ?? 1;
  rs.inhibitOnFailure ??= vs.inhibitOnFailure ?? false;
  rs.alpha ??= vs.alpha ?? false;
  rs.retry ??= vs.retry;
  rs.delayBeforeRetry ??= vs.delayBeforeRetry;
  rs.warmup ??= vs.warmup;
  rs.connectTimeout ??= vs.connectTimeout ?? 5;
  rs.delayLoop ??= vs.delayLoop ?? 60;
  rs.smtpAlert ??= g.smtpAlertChecker ?? g.smtpAlert;
  rs.virtualhost ??= vs.virtualhost;
  rs.notifyUp = usableScript(rs.notifyUp, rs.at, () => `${owner()} notify_up`, d);
  rs.notifyDown = usableScript(rs.notifyDown, rs.at, () => `${owner()} notify_down`, d);
  if (rs.uthreshold !== undefined && rs.lthreshold !== undefined && rs.lthreshold > rs.uthreshold) {
    d.warning(rs.at, `${owner()}: lthreshold ${rs.lthreshold} is above uthreshold ${rs.uthreshold}`);
  }
  const done = rs as unknown as RealServer;
  // Completed in place; the array is compacted only when a checker is dropped.
  let kept = 0;
  for (const c of rs.checkers) {
    if (c.type === 'BFD_CHECK' && c.name !== undefined && rs.checkers.slice(0, kept).some((o) => o.type === 'BFD_CHECK' && o.name === c.name)) {
      d.error(c.at, `${owner()}: BFD_CHECK - real server already monitoring ${c.name} - checker ignored`);
      continue;
    }
    if (finishChecker(c, done, vs.delayLoop ?? 60, refs, owner, d)) rs.checkers[kept++] = c;
  }
  rs.checkers.length = kept;
  return done;
}

/** Addresses one virtual_server_group range may expand to: a 16-bit range, as keepalived's `A-N` form allows. */
const MAX_GROUP_RANGE = 65536n;

function serviceIdentity(a: VirtualServerAddress): string {
  if (a.kind === 'ip') return `${canonicalIp(a.ip) ?? a.ip} ${a.port}`;
  if (a.kind === 'fwmark') return `fwmark ${a.fwmark}`;
  return `group ${a.group}`;
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
  const services = new Set<string>();
  for (const vs of drafts) {
    const name = describe(vs);
    let family = vs.family;
    let group: VirtualServerGroup | undefined;
    if (vs.address.kind === 'group') {
      const groupName = vs.address.group;
      group = groups.find((x) => x.name === groupName);
      if (!group) {
        d.error(vs.at, `${name}: virtual_server_group '${groupName}' is not defined`);
        continue;
      }
      family ??= groupFamily(group);
      const huge = group.entries.find((e) => e.kind === 'address' && e.rangeEnd !== undefined && addressRangeSize(e.ip, e.rangeEnd) > MAX_GROUP_RANGE);
      if (huge !== undefined && huge.kind === 'address') {
        // Each address of a range is a service of its own (in IPVS too): a /64 cannot be.
        d.error(vs.at, `${name}: virtual_server_group '${groupName}' range ${huge.ip}-${huge.rangeEnd} holds more than ${MAX_GROUP_RANGE} addresses - virtual server ignored`);
        continue;
      }
    }
    if (family === undefined) {
      // keepalived: a fwmark service takes the family of its (non-tunnelled, or all same-family) real servers.
      const families = new Set(vs.realServers.map((rs) => rs.family));
      if (vs.sorryServer) families.add(vs.sorryServer.family);
      family = families.size === 1 ? [...families][0]! : 4;
    }
    const byAddress = vs.address.kind === 'ip' || (group !== undefined && group.entries.some((e) => e.kind === 'address'));
    let protocol = vs.protocol;
    if (protocol === undefined) {
      // keepalived 2.2: the kernel would take protocol 0 as UDP, so keepalived sets UDP explicitly, and says so.
      if (byAddress) d.warning(vs.at, `${name}: no protocol given - using UDP (as keepalived does)`);
      protocol = byAddress ? 'UDP' : 'TCP';
    } else if (!byAddress) {
      d.warning(vs.at, `${name}: protocol is ignored for a fwmark service`);
    }
    if (vs.lbAlgo === undefined) d.warning(vs.at, `${name}: no lb_algo given - using wlc`);
    const forwarding = vs.forwarding ?? NAT;
    if (vs.forwarding === undefined && (vs.realServers.some((rs) => rs.forwarding === undefined) || (vs.sorryServer !== undefined && vs.sorryServerForwarding === undefined))) {
      d.warning(vs.at, `${name}: no lb_kind given - using NAT`);
    }
    let sorryServer: VirtualServer['sorryServer'];
    if (vs.sorryServer) {
      const ssForwarding = vs.sorryServerForwarding ?? forwarding;
      if (vs.sorryServer.family !== family && ssForwarding.method !== 'TUN') {
        d.warning(vs.at, `${name}: sorry_server ${vs.sorryServer.ip} address family does not match - ignoring it`);
      } else {
        // Port 0 on an address service is the service's port (the kernel's rule; keepalived writes it out for
        // real servers and non-NAT sorry servers).
        const port = vs.sorryServer.port === 0 && vs.address.kind === 'ip' ? vs.address.port : vs.sorryServer.port;
        sorryServer = { ...vs.sorryServer, port, forwarding: ssForwarding, inhibit: vs.sorryServerInhibit };
      }
    }
    const lbAlgo = vs.lbAlgo ?? 'wlc';
    const schedulerFlags = usableSchedulerFlags(vs.schedulerFlags, lbAlgo, byAddress ? protocol : undefined, () => name, vs.at, d);
    if (g.lvsBackend === 'nftables') refuseOnNftables(vs, schedulerFlags, name, d);
    if (vs.hysteresis >= vs.quorum && vs.hysteresis > 0) d.warning(vs.at, `${name}: hysteresis ${vs.hysteresis} is not below quorum ${vs.quorum}`);
    // The same service twice cannot be programmed (IPVS refuses the second): said here, the second dropped.
    const identity = `${serviceIdentity(vs.address)} ${byAddress ? protocol : ''} ${family}`;
    if (services.has(identity)) {
      d.error(vs.at, `${name}: the same virtual server is given twice - ignoring the second`);
      continue;
    }
    services.add(identity);
    const realServers: RealServer[] = [];
    const seen = vs.realServers.length > 16 ? new Set<string>() : undefined;
    for (const rs of vs.realServers) {
      // keepalived check_data.c: a real server without a port (0) on an address service takes the service's
      // port; `real_server A` and `real_server A PORT` are then the same server.
      if (rs.port === 0 && vs.address.kind === 'ip') (rs as { port: number }).port = vs.address.port;
      const duplicate = seen ? seen.has(`${rs.ip} ${rs.port}`) : realServers.some((r) => r.ip === rs.ip && r.port === rs.port);
      if (duplicate) {
        d.error(rs.at, `${name}: real_server ${rs.ip}:${rs.port} is given twice - ignoring the second`);
        continue;
      }
      seen?.add(`${rs.ip} ${rs.port}`);
      const r = finishRealServer(rs, vs, family, g, refs, d);
      if (r) realServers.push(r);
    }
    out.push({
      at: { file: vs.at.file, line: vs.at.line },
      address: vs.address,
      family,
      protocol,
      lbAlgo,
      forwarding,
      schedulerFlags,
      persistenceTimeout: vs.persistenceTimeout,
      persistenceGranularity: vs.persistenceGranularity,
      persistenceEngine: vs.persistenceEngine,
      haSuspend: vs.haSuspend,
      announceTable: vs.announceTable,
      smtpAlert: vs.smtpAlert ?? g.smtpAlertChecker ?? g.smtpAlert,
      virtualhost: vs.virtualhost,
      snmpName: vs.snmpName,
      alpha: vs.alpha ?? false,
      omega: vs.omega,
      quorum: vs.quorum,
      hysteresis: vs.hysteresis,
      quorumUp: usableScript(vs.quorumUp, vs.at, () => `${name} quorum_up`, d),
      quorumDown: usableScript(vs.quorumDown, vs.at, () => `${name} quorum_down`, d),
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

/**
 * The scheduler flags that reach the kernel, as keepalived 2.2 keeps them (check_parser.c lbflags_handler,
 * check_data.c): `sh-port` / `sh-fallback` only with lb_algo sh, `mh-port` / `mh-fallback` only with mh (else
 * "only applies to sh scheduler - ignoring"; `hashed` sets nothing, the kernel marks every service hashed itself),
 * `ops` only on UDP (else "one packet scheduling requires UDP - resetting"; a fwmark service keeps it). keepalived
 * reads the scheduler in force at the flag's line; vigil reads the virtual server's final lb_algo.
 */
function usableSchedulerFlags(flags: readonly string[], lbAlgo: string, protocol: string | undefined, name: () => string, at: SourcePosition, d: Diagnostics): string[] {
  const out: string[] = [];
  for (const f of flags) {
    const family = /^(sh|mh)-(port|fallback)$/.exec(f)?.[1];
    if (f === 'hashed') {
      if (lbAlgo !== 'sh' && lbAlgo !== 'mh') d.warning(at, `${name()}: hashed only applies to sh scheduler - ignoring`);
      continue;
    }
    if (family !== undefined && family !== lbAlgo) {
      d.warning(at, `${name()}: ${f} only applies to ${family} scheduler - ignoring`);
      continue;
    }
    if (f === 'ops' && protocol !== undefined && protocol !== 'UDP') {
      d.warning(at, `${name()}: one packet scheduling requires UDP - resetting`);
      continue;
    }
    out.push(f);
  }
  return out;
}

const nftablesOnly = (what: string): string => `${what} needs IPVS: it is not available with lvs_backend nftables`;

/**
 * `lvs_backend nftables` (vigil's keyword): what IPVS does and nftables cannot is refused, each with its line.
 * Available there: lb_algo mh (a Maglev map, transport/lb/nftables-ruleset.ts), sh-port (the hash takes the source
 * port), mh-port (the hash takes the 5-tuple), sh-fallback / mh-fallback (the map holds
 * only live servers, so a client whose server is down is hashed over the others), flag-1..3 as the scheduler
 * reads them, plain TUN (`type ipip`, rendered as DNAT like every TUN destination), lvs_flush and
 * lvs_flush_on_stop (vigil's tables are replaced at start and deleted at stop, each in one transaction).
 */
function refuseOnNftables(vs: VirtualServerDraft, flags: readonly string[], name: string, d: Diagnostics): void {
  if (flags.includes('ops')) d.error(vs.at, `${name}: ${nftablesOnly('ops (one-packet scheduling)')}`);
  if (vs.persistenceEngine !== undefined) d.error(vs.at, `${name}: ${nftablesOnly(`persistence_engine ${vs.persistenceEngine}`)}`);
  const tunnel = (f: Forwarding | undefined, where: string, at: SourcePosition): void => {
    if (f?.method !== 'TUN') return;
    const type = f.tunnelType ?? 'ipip';
    if (type !== 'ipip' || (f.tunnelChecksum !== undefined && f.tunnelChecksum !== 'nocsum')) {
      d.error(at, `${where}: ${nftablesOnly(`TUN ${type === 'ipip' ? '' : `type ${type} `}${f.tunnelChecksum ?? ''}`.trim())}`);
    }
  };
  tunnel(vs.forwarding, `${name} lb_kind`, vs.at);
  tunnel(vs.sorryServerForwarding, `${name} sorry_server_lvs_method`, vs.at);
  for (const rs of vs.realServers) if (rs.forwarding !== undefined && rs.forwarding !== vs.forwarding) tunnel(rs.forwarding, `${name} real_server ${rs.ip}:${rs.port} lvs_method`, rs.at);
}

/**
 * The global LVS keywords, completed as keepalived does: `lvs_sync_daemon` (or an instance's deprecated
 * `lvs_sync_daemon_interface`) names an existing VRRP instance ("Unable to find vrrp instance … for lvs_syncd"
 * otherwise: the sync daemon is dropped) and its sync id defaults to that instance's VRID (0 without an instance);
 * with `lvs_backend nftables`, lvs_timeouts and lvs_sync_daemon are refused.
 */
export function finishLvsGlobals(g: GlobalDefs, instances: readonly VrrpInstance[], d: Diagnostics): void {
  const mutable = g as { -readonly [K in keyof GlobalDefs]: GlobalDefs[K] };
  let syncd: LvsSyncDaemon | undefined = g.lvsSyncDaemon;
  for (const i of instances) {
    if (i.lvsSyncDaemonInterface === undefined) continue;
    if (syncd === undefined) syncd = { interface: i.lvsSyncDaemonInterface, instance: i.name, at: i.at };
    else d.warning(i.at, `vrrp_instance ${i.name}: lvs_sync_daemon_interface ignored: the sync daemon is already given (${syncd.interface}${syncd.instance !== undefined ? ` ${syncd.instance}` : ''})`);
  }
  if (syncd !== undefined) {
    const at = syncd.at ?? { file: '', line: 0 };
    const instance = syncd.instance === undefined ? undefined : instances.find((i) => i.name === syncd!.instance);
    if (syncd.instance !== undefined && instance === undefined) {
      // keepalived -t passes it; its VRRP process says so at start and clears the sync daemon.
      d.warning(at, `lvs_sync_daemon: unable to find vrrp instance ${syncd.instance} - the sync daemon is not started`);
      syncd = undefined;
    } else {
      syncd = { ...syncd, id: syncd.id ?? instance?.virtualRouterId ?? 0 };
    }
  }
  mutable.lvsSyncDaemon = syncd;
  if (g.lvsBackend === 'nftables') {
    if (g.lvsTimeouts !== undefined) d.error(g.lvsTimeouts.at ?? { file: '', line: 0 }, nftablesOnly('lvs_timeouts (the IPVS connection timeouts)'));
    if (syncd !== undefined) d.error(syncd.at ?? { file: '', line: 0 }, nftablesOnly('lvs_sync_daemon (the IPVS connection sync daemon)'));
  }
}

/** fe80::/10, where keepalived requires a checker's bind_if. */
function isLinkLocal(address: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(address);
}
