/**
 * The parsed configuration's `virtual_server` blocks (config/model.ts) as the checker runtime's specs
 * (actors/lvs/virtual-server-spec.ts). Inheritance of timing was applied by the parser; what is decided here is how model
 * and spec names meet, which VRRP instance owns a virtual server (ha_suspend), and script lines.
 */
import type { Checker, Config, RealServer, VirtualServer, VirtualServerGroupEntry as ModelGroupEntry } from '../../config/model.js';
import type { CheckerSpec, RealServerSpec, VirtualServerGroupEntry, VirtualServerSpec, VirtualServerTarget } from './virtual-server-spec.js';
import { canonicalIp } from '../../protocol/ip.js';

function checkerSpec(c: Checker, config: Config): CheckerSpec | undefined {
  const timing = 'delayLoop' in c ? { delayLoop: c.delayLoop, retry: c.retry, delayBeforeRetry: c.delayBeforeRetry, warmup: c.warmup, alpha: c.alpha, logAllFailures: c.logAllFailures } : {};
  const connection =
    'connectTimeout' in c
      ? { connectIp: c.connectIp, connectPort: c.connectPort, bindto: c.bindTo, bindPort: c.bindPort, bindIf: c.bindIf, connectTimeout: c.connectTimeout, fwmark: c.fwmark }
      : {};
  const id = `${c.at.file}:${c.at.line}`;
  switch (c.type) {
    case 'TCP_CHECK':
      return { kind: 'TCP_CHECK', id, ...timing, ...connection };
    case 'PING_CHECK':
      return { kind: 'PING_CHECK', id, ...timing, ...connection };
    case 'HTTP_GET':
    case 'SSL_GET':
      return {
        kind: c.type,
        id,
        ...timing,
        ...connection,
        url: c.urls.map((u) => ({ path: u.path, digest: u.digest, statusCode: u.statusCodes, virtualhost: u.virtualhost, regex: u.regex, regexNoMatch: u.regexNoMatch })),
        virtualhost: c.virtualhost,
        httpProtocol: c.httpProtocol,
        enableSni: c.enableSni,
        ssl: config.ssl ? { ca: config.ssl.ca, certificate: config.ssl.certificate, key: config.ssl.key, password: config.ssl.password } : undefined,
      };
    case 'SMTP_CHECK':
      return {
        kind: 'SMTP_CHECK',
        id,
        ...timing,
        ...connection,
        heloName: c.heloName,
        host: c.hosts.map((h) => ({ connectIp: h.connectIp, connectPort: h.connectPort, bindto: h.bindTo, bindPort: h.bindPort, bindIf: h.bindIf, connectTimeout: h.connectTimeout, fwmark: h.fwmark })),
      };
    case 'DNS_CHECK':
      return { kind: 'DNS_CHECK', id, ...timing, ...connection, type: c.queryType, name: c.name };
    case 'UDP_CHECK':
      return { kind: 'UDP_CHECK', id, ...timing, ...connection, payload: c.payload, requireReply: c.requireReply, minReplyLength: c.minReplyLength, maxReplyLength: c.maxReplyLength };
    case 'MISC_CHECK':
      return { kind: 'MISC_CHECK', id, ...timing, miscPath: c.miscPath, miscTimeout: c.miscTimeout, miscDynamic: c.miscDynamic, user: c.user, group: c.group };
    case 'FILE_CHECK': {
      const file = config.trackFiles.find((f) => f.name === c.trackFile);
      if (!file) return undefined;
      return { kind: 'FILE_CHECK', id, trackFile: { name: file.name, file: file.file, weight: file.weight, reverse: file.weightReverse }, weight: c.weight, reverse: c.weightReverse };
    }
    case 'BFD_CHECK':
      // BFD is not implemented: such a checker is left out (the daemon logs it).
      return undefined;
  }
}

function realServerSpec(rs: RealServer, config: Config): RealServerSpec {
  return {
    address: rs.ip,
    port: rs.port,
    weight: rs.weight,
    lbKind: rs.forwarding.method,
    inhibitOnFailure: rs.inhibitOnFailure,
    notifyUp: rs.notifyUp?.command,
    notifyDown: rs.notifyDown?.command,
    uthreshold: rs.uthreshold,
    lthreshold: rs.lthreshold,
    virtualhost: rs.virtualhost,
    connectTimeout: rs.connectTimeout,
    delayLoop: rs.delayLoop,
    retry: rs.retry,
    delayBeforeRetry: rs.delayBeforeRetry,
    warmup: rs.warmup,
    alpha: rs.alpha,
    checkers: rs.checkers.flatMap((c) => {
      const spec = checkerSpec(c, config);
      return spec ? [spec] : [];
    }),
  };
}

/** `10.0.0.1-10`: the spec keeps the last part of the range's end. */
function groupEntry(e: ModelGroupEntry): VirtualServerGroupEntry {
  if (e.kind === 'fwmark') return { fwmark: e.fwmark };
  const end = e.rangeEnd === undefined ? undefined : e.family === 4 ? Number(e.rangeEnd.split('.').pop()) : Number.parseInt(e.rangeEnd.split(':').pop() ?? '0', 16);
  return { address: e.ip, ...(end !== undefined ? { rangeEnd: end } : {}), port: e.port ?? 0 };
}

function targetOf(vs: VirtualServer, config: Config): VirtualServerTarget {
  const a = vs.address;
  if (a.kind === 'ip') return { kind: 'address', address: a.ip, port: a.port };
  if (a.kind === 'fwmark') return { kind: 'fwmark', fwmark: a.fwmark, family: vs.family };
  const group = config.virtualServerGroups.find((g) => g.name === a.group);
  return { kind: 'group', name: a.group, entries: (group?.entries ?? []).map(groupEntry), family: vs.family };
}

/** ha_suspend: the vrrp_instance whose virtual_ipaddress holds the virtual server's address (keepalived's rule). */
function owningInstance(vs: VirtualServer, config: Config): string | undefined {
  if (vs.address.kind !== 'ip') return undefined;
  const ip = canonicalIp(vs.address.ip);
  return config.vrrpInstances.find((i) => [...i.virtualIpAddresses, ...i.excludedVirtualIpAddresses].some((v) => canonicalIp(v.address) === ip))?.name;
}

export function virtualServerSpecs(config: Config): VirtualServerSpec[] {
  return config.virtualServers.map((vs) => ({
    target: targetOf(vs, config),
    protocol: vs.protocol.toLowerCase() as 'tcp' | 'udp' | 'sctp',
    lbAlgo: vs.lbAlgo,
    lbKind: vs.forwarding.method,
    persistenceTimeout: vs.persistenceTimeout,
    persistenceGranularity: vs.persistenceGranularity,
    weight: vs.weight,
    connectTimeout: vs.connectTimeout,
    virtualhost: vs.virtualhost,
    inhibitOnFailure: vs.inhibitOnFailure,
    quorum: vs.quorum,
    hysteresis: vs.hysteresis,
    quorumUp: vs.quorumUp?.command,
    quorumDown: vs.quorumDown?.command,
    sorryServer: vs.sorryServer ? { address: vs.sorryServer.ip, port: vs.sorryServer.port, lbKind: vs.sorryServer.forwarding.method } : undefined,
    sorryServerInhibit: vs.sorryServer?.inhibit,
    omega: vs.omega,
    haSuspend: vs.haSuspend,
    vrrpInstance: owningInstance(vs, config),
    delayLoop: vs.delayLoop,
    retry: vs.retry,
    delayBeforeRetry: vs.delayBeforeRetry,
    warmup: vs.warmup,
    alpha: vs.alpha,
    realServers: vs.realServers.map((rs) => realServerSpec(rs, config)),
  }));
}
