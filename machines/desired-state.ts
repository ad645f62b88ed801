/**
 * What the load balancer should hold: virtual services and their real servers, as keepalived's `virtual_server` /
 * `real_server` blocks describe them. The virtual-server machines compute it (machines/virtual-server-pool.ts);
 * the backends of transport/lb/load-balancer.ts converge the kernel to it.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** keepalived `lb_algo` names, which are the IPVS scheduler module names. */
export const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh', 'twos'] as const;
export type Scheduler = (typeof SCHEDULERS)[number];

/** keepalived `lb_kind`. */
export const FORWARDING_METHODS = ['NAT', 'DR', 'TUN'] as const;
export type ForwardingMethod = (typeof FORWARDING_METHODS)[number];

export const PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;
export type LbProtocol = (typeof PROTOCOLS)[number];

export type LbFamily = 4 | 6;

/**
 * Scheduler flags as IPVS stores them (keepalived `ops`, `flag-1..3`; config/finalize-lvs.ts turns `sh-fallback` /
 * `mh-fallback` into flag-1 and `sh-port` / `mh-port` into flag-2, as the kernel's sh and mh schedulers read them).
 */
export const SCHEDULER_FLAGS = ['ops', 'flag-1', 'flag-2', 'flag-3'] as const;
export type SchedulerFlag = (typeof SCHEDULER_FLAGS)[number];

/** keepalived `lb_kind TUN [type ipip|gue|gre] [port N] [nocsum|csum|remcsum]`: the encapsulation of a TUN destination. */
export interface TunnelOptions {
  readonly type: 'ipip' | 'gue' | 'gre';
  /** GUE only: the UDP port. */
  readonly port?: number;
  /** GUE and GRE: the checksum option (default nocsum). */
  readonly checksum?: 'nocsum' | 'csum' | 'remcsum';
}

/** keepalived `lvs_timeouts` (seconds): IPVS's TCP, TCP FIN-wait and UDP connection timeouts; absent = unchanged. */
export interface LbTimeouts {
  readonly tcp?: number;
  readonly tcpFin?: number;
  readonly udp?: number;
}

export interface Destination {
  readonly address: string;
  /** 0 in a fwmark service keeps the packet's port; 0 in an address service means the service's port. */
  readonly port: number;
  /** 0 = inhibited (keepalived `inhibit_on_failure`): kept in IPVS with weight 0, never chosen. */
  readonly weight: number;
  readonly forwarding: ForwardingMethod;
  /** IPVS `uthreshold` / `lthreshold` (keepalived real_server keywords); 0 = none. */
  readonly upperThreshold?: number;
  readonly lowerThreshold?: number;
  /** TUN only; absent = plain IPIP, as keepalived. */
  readonly tunnel?: TunnelOptions;
}

interface ServiceBase {
  /** Stable identity chosen by the caller (e.g. the virtual_server's text); used in reports and rule comments. */
  readonly key: string;
  readonly protocol: LbProtocol;
  readonly family: LbFamily;
  readonly scheduler: Scheduler;
  /** Seconds (keepalived `persistence_timeout`); absent = not persistent. */
  readonly persistenceTimeout?: number;
  /** keepalived `persistence_granularity`: a netmask (IPv4, e.g. 255.255.255.0) or a prefix length (IPv6). */
  readonly persistenceGranularity?: string | number;
  /** keepalived `persistence_engine` (e.g. sip); applies to persistent services only, as in keepalived. */
  readonly persistenceEngine?: string;
  readonly schedulerFlags?: readonly SchedulerFlag[];
  /**
   * lb_algo mh on nftables: the Maglev table's size, a prime fixed from the configured real servers (not the live
   * ones), so that a server going down keeps the table's size and moves only its own slots. Absent = from the
   * destinations listed (transport/lb/nftables-ruleset.ts).
   */
  readonly hashTableSize?: number;
  /**
   * lb_algo mh on nftables: every configured real server (address and port), live or not, from which the Maglev
   * permutations are drawn (protocol/maglev.ts maglevPermutations), so that a failure changes no other server's.
   * Absent = the destinations listed.
   */
  readonly hashPool?: readonly { readonly address: string; readonly port: number }[];
  readonly destinations: readonly Destination[];
  /** keepalived `sorry_server`: used only while no destination has a weight above 0. */
  readonly sorry?: Destination;
}

export interface AddressService extends ServiceBase {
  readonly kind: 'address';
  readonly address: string;
  readonly port: number;
}

export interface FwmarkService extends ServiceBase {
  readonly kind: 'fwmark';
  readonly fwmark: number;
}

export type VirtualService = AddressService | FwmarkService;

export interface DesiredState {
  readonly services: readonly VirtualService[];
  readonly timeouts?: LbTimeouts;
}

/** The identity of a service in the kernel: two services with the same identity are the same IPVS service. */
export function serviceIdentity(service: VirtualService): string {
  return service.kind === 'fwmark'
    ? `fwmark:${service.family}:${service.protocol}:${service.fwmark}`
    : `${service.protocol}:${service.address}:${service.port}`;
}

/** The destinations that receive new connections: weight > 0, else the sorry server alone, else none. */
export function liveDestinations(service: Pick<VirtualService, 'destinations' | 'sorry'>): readonly Destination[] {
  const live = service.destinations.filter((d) => d.weight > 0);
  if (live.length > 0) return live;
  return service.sorry === undefined ? [] : [{ ...service.sorry, weight: Math.max(1, service.sorry.weight) }];
}

function familyOfAddress(address: string): LbFamily | undefined {
  if (isIPv4(address)) return 4;
  if (isIPv6(address)) return 6;
  return undefined;
}

const isPort = (n: number, allowZero: boolean): boolean => Number.isInteger(n) && n >= (allowZero ? 0 : 1) && n <= 65535;

/**
 * The problems of one service on its own, kept per service object: a desired state is rebuilt from the same
 * objects for the virtual servers that did not change (actors/lvs/lb-sync.ts), so checking a state of thousands
 * of services costs the changed ones. Services are immutable (readonly throughout), which makes the cache sound.
 */
const checkedServices = new WeakMap<VirtualService, readonly string[]>();

function serviceProblems(service: VirtualService): readonly string[] {
  const known = checkedServices.get(service);
  if (known !== undefined) return known;
  const problems: string[] = [];
  const where = `service ${JSON.stringify(service.key)}`;
  if (service.key === '') problems.push('service with an empty key');
  if (!(SCHEDULERS as readonly string[]).includes(service.scheduler)) problems.push(`${where}: unknown scheduler ${service.scheduler}`);
  if (!(PROTOCOLS as readonly string[]).includes(service.protocol)) problems.push(`${where}: unknown protocol ${service.protocol}`);
  if (service.family !== 4 && service.family !== 6) problems.push(`${where}: family must be 4 or 6`);
  if (service.kind === 'address') {
    if (familyOfAddress(service.address) !== service.family) problems.push(`${where}: ${service.address} is not IPv${service.family}`);
    if (!isPort(service.port, false)) problems.push(`${where}: bad port ${service.port}`);
  } else if (!Number.isInteger(service.fwmark) || service.fwmark < 1 || service.fwmark > 0xffffffff) {
    problems.push(`${where}: fwmark must be 1..2^32-1`);
  }
  const t = service.persistenceTimeout;
  if (t !== undefined && (!Number.isInteger(t) || t < 1 || t > 0xffffffff)) problems.push(`${where}: bad persistence_timeout ${t}`);
  const g = service.persistenceGranularity;
  if (g !== undefined) {
    const ok = service.family === 4 ? typeof g === 'string' && isNetmask(g) : typeof g === 'number' && Number.isInteger(g) && g >= 1 && g <= 128;
    if (!ok) problems.push(`${where}: bad persistence_granularity ${String(g)}`);
  }
  for (const f of service.schedulerFlags ?? []) if (!(SCHEDULER_FLAGS as readonly string[]).includes(f)) problems.push(`${where}: unknown scheduler flag ${f}`);
  const m = service.hashTableSize;
  if (m !== undefined && (!Number.isInteger(m) || m < 2 || m > 16_777_213)) problems.push(`${where}: bad hash table size ${m}`);
  const pe = service.persistenceEngine;
  if (pe !== undefined && !/^[A-Za-z0-9_-]{1,15}$/.test(pe)) problems.push(`${where}: bad persistence_engine ${pe}`);
  const seen = new Set<string>();
  for (const d of [...service.destinations, ...(service.sorry === undefined ? [] : [service.sorry])]) {
    const at = `${where}, destination ${d.address}:${d.port}`;
    if (familyOfAddress(d.address) === undefined) problems.push(`${at}: not an IP address`);
    // IPVS allows mixed families only for TUN (kernel ≥ 4.x, IPVS_DEST_ATTR_ADDR_FAMILY).
    else if (familyOfAddress(d.address) !== service.family && d.forwarding !== 'TUN') problems.push(`${at}: family differs from the service`);
    if (!isPort(d.port, true)) problems.push(`${at}: bad port`);
    if (!Number.isInteger(d.weight) || d.weight < 0 || d.weight > 0x7fffffff) problems.push(`${at}: bad weight ${d.weight}`);
    if (!(FORWARDING_METHODS as readonly string[]).includes(d.forwarding)) problems.push(`${at}: unknown forwarding ${d.forwarding}`);
    if (d.tunnel !== undefined) problems.push(...tunnelProblems(d.tunnel, d.forwarding).map((p) => `${at}: ${p}`));
    if (d !== service.sorry) {
      const id = `${d.address}|${d.port}`;
      if (seen.has(id)) problems.push(`${at}: duplicate destination`);
      seen.add(id);
    }
  }
  checkedServices.set(service, problems);
  return problems;
}

/** Every problem in a desired state (empty when valid): bad addresses, families, ports, weights, duplicates. */
export function validateDesiredState(state: DesiredState): string[] {
  const problems: string[] = [];
  const keys = new Set<string>();
  const identities = new Set<string>();
  for (const service of state.services) {
    const where = `service ${JSON.stringify(service.key)}`;
    const own = serviceProblems(service);
    // In the order they were always given: an empty key first, then the duplicates, then the rest.
    if (own[0] === 'service with an empty key') problems.push(own[0]);
    if (keys.has(service.key)) problems.push(`${where}: duplicate key`);
    keys.add(service.key);
    const identity = serviceIdentity(service);
    if (identities.has(identity)) problems.push(`${where}: duplicate service ${identity}`);
    identities.add(identity);
    for (const p of own) if (p !== 'service with an empty key') problems.push(p);
  }
  const t = state.timeouts;
  for (const [k, v] of Object.entries(t ?? {})) {
    if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 0xffffffff)) problems.push(`lvs_timeouts: bad ${k} ${String(v)}`);
  }
  return problems;
}

/** keepalived's rules for tunnel options (check_parser.c): GUE needs a port, IPIP has no checksum, GRE no remcsum. */
function tunnelProblems(t: TunnelOptions, forwarding: ForwardingMethod): string[] {
  const out: string[] = [];
  if (forwarding !== 'TUN') out.push('tunnel options on a non-TUN destination');
  if ((t.type === 'gue') !== (t.port !== undefined)) out.push('a gue tunnel needs a port, other tunnels cannot have one');
  if (t.port !== undefined && !isPort(t.port, false)) out.push(`bad tunnel port ${t.port}`);
  if (t.type === 'ipip' && t.checksum !== undefined && t.checksum !== 'nocsum') out.push('ipip tunnels have no checksum option');
  if (t.type === 'gre' && t.checksum === 'remcsum') out.push('gre tunnels have no remote checksum option');
  return out;
}

/** A contiguous IPv4 netmask in dotted form (255.255.255.0). */
export function isNetmask(text: string): boolean {
  if (!isIPv4(text)) return false;
  const value = text.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
  const inverted = ~value >>> 0;
  return (inverted & (inverted + 1)) === 0;
}

/** Throws one error listing every problem, or returns the state unchanged. */
export function assertValidDesiredState(state: DesiredState): DesiredState {
  const problems = validateDesiredState(state);
  if (problems.length > 0) throw new Error(`invalid load-balancer state:\n  ${problems.join('\n  ')}`);
  return state;
}
