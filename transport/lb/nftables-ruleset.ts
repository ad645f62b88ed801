/**
 * Renders a desired state as one `nft -f` transaction over tables vigil owns (`table ip vigil`, `table ip6 vigil`):
 * each table is created if missing, deleted, and defined anew, so the kernel swaps the whole rule set atomically
 * and nothing outside those tables is touched.
 *
 * Layout per family: nat chains on prerouting (dstnat) and output jump to `services`, which dispatches by a
 * verdict map on (daddr . l4proto . dport) and on `meta mark` (fwmark services) to one chain per service, whose
 * single rule DNATs to the destination the scheduler picks. NAT rules see only a connection's first packet, so
 * the pick is per connection, like IPVS.
 *
 * Schedulers (keepalived lb_algo) and what they become here:
 *   rr  → numgen inc mod N over equal slots                       (exact)
 *   wrr → numgen inc mod ΣW over slots sized by weight            (exact in proportion, not interleaved)
 *   sh  → jhash saddr mod ΣW over weighted slots                  (exact in spirit: same client, same server)
 *   dh  → jhash daddr mod ΣW over weighted slots
 *   fo  → the destination with the highest weight                 (exact)
 *   lc → rr; wlc, sed, nq, twos → wrr                              (no connection counts in nftables)
 *   lblc, lblcr → dh                                               (locality = by destination address)
 *   mh → a Maglev lookup table (protocol/maglev.ts) in a named map  (exact in spirit: consistent hashing)
 *   ovf → fo                                                       (no overflow on active connections)
 * sh with flag-2 (keepalived sh-port) hashes the source address and port (`jhash … saddr . th sport`), as IPVS
 * does; mh hashes the source address as IPVS mh does, and with flag-2 (mh-port) the flow's 5-tuple (`saddr . sport
 * . daddr . dport . l4proto`), so that flows of one client spread over the servers. Their flag-1 (sh-fallback /
 * mh-fallback) needs nothing: the map holds only live servers, so a client whose server is down is hashed over the
 * others. The Maglev map `svc_N_maglev` holds one element per slot, `slot : server`; every director builds the
 * same one from the same pool, and the jhash seed is fixed, so a flow gets the same server on each of them.
 * persistence_timeout with a rotating scheduler becomes source hashing (masked by persistence_granularity):
 * sticky while the pool is unchanged, with no timeout. DR and TUN destinations are rendered as DNAT (NAT).
 * Every such substitution is returned as an Approximation.
 */
import { isIPv4 } from 'node:net';
import { assertValidDesiredState, liveDestinations, type DesiredState, type Destination, type LbFamily, type Scheduler, type VirtualService } from '../../machines/desired-state.js';
import type { Approximation } from './load-balancer.js';
import { buildMaglevTable, maglevPermutations, maglevTableSize, type MaglevTable } from '../../protocol/maglev.js';

type Method = 'numgen' | 'saddr' | 'daddr' | 'first' | 'maglev';

/** The method each scheduler maps to, and whether that is an approximation. */
const SCHEDULER_PLAN: Readonly<Record<Scheduler, { readonly method: Method; readonly weighted: boolean; readonly used: string; readonly exact: boolean }>> = {
  rr: { method: 'numgen', weighted: false, used: 'rr', exact: true },
  wrr: { method: 'numgen', weighted: true, used: 'wrr', exact: true },
  sh: { method: 'saddr', weighted: true, used: 'sh', exact: true },
  dh: { method: 'daddr', weighted: true, used: 'dh', exact: true },
  fo: { method: 'first', weighted: true, used: 'fo', exact: true },
  lc: { method: 'numgen', weighted: false, used: 'rr', exact: false },
  wlc: { method: 'numgen', weighted: true, used: 'wrr', exact: false },
  sed: { method: 'numgen', weighted: true, used: 'wrr', exact: false },
  nq: { method: 'numgen', weighted: true, used: 'wrr', exact: false },
  lblc: { method: 'daddr', weighted: true, used: 'dh', exact: false },
  lblcr: { method: 'daddr', weighted: true, used: 'dh', exact: false },
  mh: { method: 'maglev', weighted: true, used: 'mh', exact: true },
  ovf: { method: 'first', weighted: true, used: 'fo', exact: false },
  twos: { method: 'numgen', weighted: true, used: 'wrr', exact: false },
};

const APPROXIMATION_REASON: Readonly<Partial<Record<Scheduler, string>>> = {
  lc: 'nftables keeps no per-server connection counts',
  wlc: 'nftables keeps no per-server connection counts',
  sed: 'nftables keeps no per-server connection counts',
  nq: 'nftables keeps no per-server connection counts',
  lblc: 'locality scheduling approximated by destination-address hashing',
  lblcr: 'locality scheduling approximated by destination-address hashing',
  ovf: 'no overflow on active connections: all traffic to the highest weight',
  twos: 'nftables keeps no per-server connection counts to choose the less loaded of two random servers',
};

export interface NftRenderOptions {
  /** Name of the tables vigil owns (default `vigil`). */
  readonly table?: string;
}

export interface NftRendering {
  /** The whole `nft -f` transaction. */
  readonly text: string;
  readonly services: number;
  readonly liveDestinations: number;
  readonly approximations: readonly Approximation[];
  readonly warnings: readonly string[];
}

const FAMILY_TABLE: Readonly<Record<LbFamily, string>> = { 4: 'ip', 6: 'ip6' };

export function checkTableName(table: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_]{0,31}$/.test(table)) throw new Error(`bad nftables table name ${table}`);
  return table;
}

/** `add` + `delete` of both tables: removes them if present, is a no-op otherwise. */
export function renderNftClear(table = 'vigil'): string {
  checkTableName(table);
  return (['ip', 'ip6'] as const).map((f) => `add table ${f} ${table}\ndelete table ${f} ${table}\n`).join('');
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** A text safe inside an nft double-quoted comment (at most 128 bytes). */
function comment(text: string): string {
  return text.replace(/["\\\n\r]/g, '_').slice(0, 120);
}

function target(d: Destination, withPort: boolean): string {
  if (!withPort) return d.address;
  return `${d.address} . ${d.port}`;
}

function singleTarget(d: { readonly address: string; readonly port: number }, withPort: boolean): string {
  if (!withPort) return d.address;
  return isIPv4(d.address) ? `${d.address}:${d.port}` : `[${d.address}]:${d.port}`;
}

/** Most slots a masked hash map is expanded to (see `slots`); weights are scaled down beyond it. */
export const MAX_EXPANDED_SLOTS = 1024;

/**
 * Map elements: slot ranges sized by weight (reduced by their GCD), or one slot each. `expand` lists every slot
 * instead of ranges: nft 1.0.6 refuses an interval map keyed by a masked hash ("exceeds valid range 0-0").
 */
function slots(dests: readonly Destination[], weighted: boolean, withPort: boolean, expand: boolean): { modulus: number; elements: string; scaled: boolean } {
  let sizes = weighted ? dests.map((d) => d.weight) : dests.map(() => 1);
  const divisor = sizes.reduce(gcd);
  sizes = sizes.map((s) => s / divisor);
  const total = sizes.reduce((a, b) => a + b, 0);
  const scaled = expand && total > MAX_EXPANDED_SLOTS;
  if (scaled) sizes = sizes.map((s) => Math.max(1, Math.round((s * MAX_EXPANDED_SLOTS) / total)));
  let next = 0;
  const elements: string[] = [];
  dests.forEach((d, i) => {
    const size = sizes[i] ?? 1;
    const value = target(d, withPort);
    if (expand) for (let k = 0; k < size; k++) elements.push(`${next + k} : ${value}`);
    else elements.push(`${size === 1 ? `${next}` : `${next}-${next + size - 1}`} : ${value}`);
    next += size;
  });
  return { modulus: next, elements: elements.join(', '), scaled };
}

/** The persistence mask: `& 255.255.255.0` (IPv4 netmask) or `& ffff:ffff:…::` (IPv6 prefix length). */
function granularityMask(service: VirtualService): string {
  const g = service.persistenceGranularity;
  if (g === undefined) return '';
  if (typeof g === 'string') return g === '255.255.255.255' ? '' : ` & ${g}`;
  if (g >= 128) return '';
  const groups: string[] = [];
  for (let bits = g; bits > 0; bits -= 16) groups.push((0xffff << (16 - Math.min(16, bits)) & 0xffff).toString(16));
  return ` & ${groups.join(':')}${groups.length < 8 ? '::' : ''}`;
}

interface ServiceRule {
  /** The rule of the service's chain; `map` is the name of its Maglev map, when it has one. */
  readonly rule: (map: string) => string;
  readonly live: number;
  /** lb_algo mh: the map's type and elements (one per slot). */
  readonly maglev?: { readonly type: string; readonly elements: string };
}

/** The name a destination has in the Maglev table: the same on every director (address, and port when DNAT sets it). */
export function maglevName(d: Destination, withPort: boolean): string {
  return singleTarget(d, withPort);
}

/** The Maglev table of a service's live destinations (ports resolved as the rule DNATs them). */
export function serviceMaglevTable(service: VirtualService, dests: readonly Destination[], withPort: boolean): MaglevTable {
  const size = service.hashTableSize ?? maglevTableSize(service.destinations.length);
  // Permutations from every configured real server, live or not: a failure must change no other's permutation.
  // Port 0 is the service's port, as the rule DNATs it (address services).
  const pool = (service.hashPool ?? service.destinations).map((d) => ({ address: d.address, port: d.port === 0 && service.kind === 'address' ? service.port : d.port }));
  const permutations = maglevPermutations(pool.map((d) => singleTarget(d, withPort)), size);
  return buildMaglevTable(dests.map((d) => ({ name: maglevName(d, withPort), weight: d.weight })), size, permutations);
}

/**
 * The map of a Maglev table. Its key is declared `typeof numgen inc mod M` (a 32-bit integer, what jhash yields):
 * nft 1.0.6 crashes listing a map declared `typeof jhash …`, and refuses `type mark` as a hash's map.
 */
function maglevMap(service: VirtualService, table: MaglevTable, dests: readonly Destination[], withPort: boolean): { type: string; elements: string } {
  const family = FAMILY_TABLE[service.family];
  const byName = new Map(dests.map((d) => [maglevName(d, withPort), target(d, withPort)]));
  const values = table.backends.map((b) => byName.get(b.name) ?? b.name);
  const parts: string[] = [];
  table.slots.forEach((backend, slot) => parts.push(`${slot} : ${values[backend]!}`));
  return { type: `typeof numgen inc mod ${table.slots.length} : ${family} daddr${withPort ? ' . th dport' : ''}`, elements: parts.join(', ') };
}

function renderService(service: VirtualService, approximations: Approximation[], warnings: string[]): ServiceRule | undefined {
  const family = FAMILY_TABLE[service.family];
  let dests = liveDestinations(service).filter((d) => {
    if ((isIPv4(d.address) ? 4 : 6) === service.family) return true;
    warnings.push(`${service.key}: destination ${d.address} is not IPv${service.family}; nftables cannot DNAT across families, skipped`);
    return false;
  });
  for (const d of dests) {
    if (d.forwarding !== 'NAT') {
      approximations.push({ key: service.key, requested: `lb_kind ${d.forwarding} (${d.address})`, used: 'NAT (DNAT)', reason: 'nftables backend forwards by DNAT only' });
    }
  }
  // Port 0: the service's own port (address services); "keep the port" (fwmark services, all ports 0 only).
  let withPort = true;
  if (service.kind === 'address') {
    dests = dests.map((d) => (d.port === 0 ? { ...d, port: service.port } : d));
  } else if (dests.every((d) => d.port === 0)) {
    withPort = false;
  } else if (dests.some((d) => d.port === 0)) {
    warnings.push(`${service.key}: fwmark service mixes port 0 and explicit ports; port-0 destinations skipped`);
    dests = dests.filter((d) => d.port !== 0);
  }
  if (dests.length === 0) return undefined;

  const plan = SCHEDULER_PLAN[service.scheduler];
  let method = plan.method;
  if (!plan.exact) {
    approximations.push({ key: service.key, requested: service.scheduler, used: plan.used, reason: APPROXIMATION_REASON[service.scheduler] ?? 'not available in nftables' });
  }
  if (service.persistenceTimeout !== undefined && method === 'numgen') {
    method = 'saddr';
    approximations.push({
      key: service.key,
      requested: `persistence_timeout ${service.persistenceTimeout}`,
      used: 'source hashing',
      reason: 'sticky per client while the pool is unchanged; no timeout',
    });
  }

  const proto = withPort ? `meta l4proto ${service.protocol} ` : '';
  let expr: string;
  if (method === 'maglev' && dests.length > 1) {
    const table = serviceMaglevTable(service, dests, withPort);
    const mask = granularityMask(service);
    const fiveTuple = (service.schedulerFlags ?? []).includes('flag-2');
    const hashed = fiveTuple ? `${family} saddr${mask} . th sport . ${family} daddr . th dport . meta l4proto` : `${family} saddr${mask}`;
    const head = `${proto}dnat to jhash ${hashed} mod ${table.slots.length} seed 0x0 map @`;
    const tail = ` comment "${comment(service.key)}"`;
    return { rule: (map) => `${head}${map}${tail}`, live: dests.length, maglev: maglevMap(service, table, dests, withPort) };
  } else if (dests.length === 1 || method === 'first') {
    // fo: the highest weight wins; ties go to the first listed (a stable choice).
    const best = dests.reduce((a, b) => (b.weight > a.weight ? b : a));
    expr = singleTarget(best, withPort);
  } else {
    const mask = method === 'saddr' ? granularityMask(service) : '';
    const { modulus, elements, scaled } = slots(dests, plan.weighted, withPort, mask !== '');
    if (scaled) warnings.push(`${service.key}: weights scaled to ${modulus} hash slots (proportions rounded)`);
    const withSourcePort = method === 'saddr' && service.scheduler === 'sh' && (service.schedulerFlags ?? []).includes('flag-2');
    const hashed = `${family} ${method}${mask}${withSourcePort ? ' . th sport' : ''}`;
    const key = method === 'numgen' ? `numgen inc mod ${modulus}` : `jhash ${hashed} mod ${modulus} seed 0x0`;
    expr = `${key} map { ${elements} }`;
  }
  const live = method === 'first' ? 1 : dests.length;
  const rule = `${proto}dnat to ${expr} comment "${comment(service.key)}"`;
  return { rule: () => rule, live };
}

/** A service's rule with what rendering it said, kept per service object (immutable): see `renderedService`. */
interface RenderedService {
  readonly rule: ServiceRule | undefined;
  readonly approximations: readonly Approximation[];
  readonly warnings: readonly string[];
}

const rendered = new WeakMap<VirtualService, RenderedService>();

/**
 * renderService, once per service object: the load-balancer sync rebuilds each state from the same objects for the
 * virtual servers that did not change (actors/lvs/lb-sync.ts), so rendering a state of thousands of services after
 * one real server changed costs that service's rule and the joining of the text, on the VRRP thread.
 */
function renderedService(service: VirtualService): RenderedService {
  let r = rendered.get(service);
  if (r === undefined) {
    const approximations: Approximation[] = [];
    const warnings: string[] = [];
    r = { rule: renderService(service, approximations, warnings), approximations, warnings };
    rendered.set(service, r);
  }
  return r;
}

function renderFamily(table: string, family: LbFamily, services: readonly VirtualService[], out: { approximations: Approximation[]; warnings: string[] }): { text: string; services: number; live: number } {
  const name = FAMILY_TABLE[family];
  const chains: string[] = [];
  const maps: string[] = [];
  const byAddress: string[] = [];
  const byMark: string[] = [];
  let live = 0;
  for (const service of services) {
    const r = renderedService(service);
    for (const a of r.approximations) out.approximations.push(a);
    for (const w of r.warnings) out.warnings.push(w);
    const rendered = r.rule;
    if (rendered === undefined) continue;
    const chain = `svc_${chains.length}`;
    const map = `${chain}_maglev`;
    if (rendered.maglev !== undefined) maps.push(`\tmap ${map} {\n\t\t${rendered.maglev.type}\n\t\telements = { ${rendered.maglev.elements} }\n\t}\n`);
    chains.push(`\tchain ${chain} {\n\t\t${rendered.rule(map)}\n\t}\n`);
    live += rendered.live;
    if (service.kind === 'address') byAddress.push(`${service.address} . ${service.protocol} . ${service.port} : jump ${chain}`);
    else byMark.push(`0x${service.fwmark.toString(16).padStart(8, '0')} : jump ${chain}`);
  }
  let text = `add table ${name} ${table}\ndelete table ${name} ${table}\n`;
  if (chains.length === 0) return { text, services: 0, live: 0 };
  const dispatch: string[] = [];
  if (byAddress.length > 0) dispatch.push(`\t\t${name} daddr . meta l4proto . th dport vmap { ${byAddress.join(', ')} }\n`);
  if (byMark.length > 0) dispatch.push(`\t\tmeta mark vmap { ${byMark.join(', ')} }\n`);
  text +=
    `table ${name} ${table} {\n` +
    maps.join('') +
    `\tchain prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n\t\tjump services\n\t}\n` +
    `\tchain output {\n\t\ttype nat hook output priority -100; policy accept;\n\t\tjump services\n\t}\n` +
    `\tchain services {\n${dispatch.join('')}\t}\n` +
    chains.join('') +
    `}\n`;
  return { text, services: chains.length, live };
}

export function renderNftRuleset(state: DesiredState, options: NftRenderOptions = {}): NftRendering {
  assertValidDesiredState(state);
  const table = checkTableName(options.table ?? 'vigil');
  const out = { approximations: [] as Approximation[], warnings: [] as string[] };
  const v4 = renderFamily(table, 4, state.services.filter((s) => s.family === 4), out);
  const v6 = renderFamily(table, 6, state.services.filter((s) => s.family === 6), out);
  return {
    text: v4.text + v6.text,
    services: v4.services + v6.services,
    liveDestinations: v4.live + v6.live,
    approximations: out.approximations,
    warnings: out.warnings,
  };
}
