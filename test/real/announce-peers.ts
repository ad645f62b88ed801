/**
 * BIRD 2 configurations for the announce_table namespace tests beyond one director (director death, VRRP, IPv6):
 * an upstream peering with several directors, each in its own AS, with a chosen hold time and address family, and
 * a director exporting vigil's table over that family. The speakers run through bgp-speakers.ts (startBird).
 * Importing this module does nothing.
 */
import type { Lan } from '../netns/harness.js';

export type Family = 'ipv4' | 'ipv6';

export interface BgpPeer {
  /** Its address on the LAN, of the session's family. */
  readonly address: string;
  readonly asn: number;
}

export interface BgpTimers {
  /** Hold time, seconds (RFC 4271 §4.2: 0 or at least 3). */
  readonly hold: number;
  readonly keepalive: number;
}

const timers = (t: BgpTimers): string => `hold time ${t.hold}; keepalive time ${t.keepalive}; connect retry time 1;`;

/** The upstream router: one session per director (`director1`, …), imports everything, exports nothing. */
export function birdUpstreamOf(routerId: string, self: BgpPeer, directors: readonly BgpPeer[], family: Family, t: BgpTimers): string {
  return `router id ${routerId};
log stderr all;
protocol device { }
${directors
  .map(
    (d, i) => `protocol bgp director${i + 1} {
  local ${self.address} as ${self.asn};
  neighbor ${d.address} as ${d.asn};
  ${timers(t)}
  ${family} { import all; export none; };
}`,
  )
  .join('\n')}
`;
}

/** A director: the kernel protocol learns table TABLE of the family (vigil's routes), BGP exports them. */
export function birdDirectorOf(routerId: string, self: BgpPeer, upstream: BgpPeer, table: number, family: Family, t: BgpTimers): string {
  return `router id ${routerId};
log stderr all;
protocol device { }
protocol kernel vigil_vips {
  ${family} { import all; export none; };
  kernel table ${table};
  learn;
}
protocol bgp upstream {
  local ${self.address} as ${self.asn};
  neighbor ${upstream.address} as ${upstream.asn};
  ${timers(t)}
  ${family} { import none; export where proto = "vigil_vips"; next hop self; };
}
`;
}

/** The next hops BIRD's `show route PREFIX` lists for the prefix (`via ADDRESS`), sorted; none while BIRD starts. */
export async function birdNextHops(lan: Lan, ns: string, ctl: string, prefix: string): Promise<string[]> {
  const stdout = await lan.exec(ns, ['birdc', '-s', ctl, 'show', 'route', prefix]).then((r) => r.stdout, () => '');
  if (!stdout.includes(prefix)) return [];
  return [...new Set([...stdout.matchAll(/\bvia ([0-9a-f:.]+)/gi)].map((m) => m[1]!))].sort();
}

/** The next hops of FRR bgpd's best paths to `prefix` (`show bgp ipv4|ipv6 unicast PREFIX json`), sorted; none while bgpd starts. */
export async function frrNextHops(vtysh: (command: string) => Promise<string>, afi: 'ipv4' | 'ipv6', prefix: string): Promise<string[]> {
  const out = await vtysh(`show bgp ${afi} unicast ${prefix} json`).catch(() => '{}');
  let parsed: { paths?: Array<{ nexthops?: Array<{ ip?: string }> }> } = {};
  try {
    parsed = JSON.parse(out) as typeof parsed;
  } catch {
    // bgpd starting: nothing yet
  }
  return [...new Set((parsed.paths ?? []).flatMap((p) => (p.nexthops ?? []).map((n) => n.ip ?? '')))].filter((a) => a !== '').sort();
}

/** `birdc show protocols all NAME`: its state and last error, as BIRD reports them. */
export async function birdProtocol(lan: Lan, ns: string, ctl: string, name: string): Promise<string> {
  return lan.exec(ns, ['birdc', '-s', ctl, 'show', 'protocols', 'all', name]).then((r) => r.stdout, (e: Error) => e.message);
}
