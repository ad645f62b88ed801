/**
 * Top-level blocks of the VRRP process that are not instances: static_ipaddress / static_routes / static_rules,
 * track_group, linkbeat_interfaces, interface_up_down_delays and garp_group.
 */
import type { Config, GarpGroup, InterfaceDelay, IpAddress, Route, Rule, TrackGroup } from '../model.js';
import { positionOf } from '../diagnostics.js';
import type { ConfigLine } from '../reader.js';
import { seconds, word } from '../values.js';
import { blockSpec, type Walker } from '../walker.js';
import { parseIpAddressLine } from './addresses.js';
import { parseRouteLine } from './routes.js';
import { parseRuleLine, rulePriorities } from './rules.js';

export function readStaticAddresses(line: ConfigLine, w: Walker, out: IpAddress[]): void {
  w.lines(line, (l) => {
    const a = parseIpAddressLine(l, 'static_ipaddress', w.diagnostics, true);
    if (a) out.push(a);
  });
}

export function readStaticRoutes(line: ConfigLine, w: Walker, out: Route[]): void {
  w.lines(line, (l) => {
    const r = parseRouteLine(l, w.diagnostics, true);
    if (r) out.push(r);
  });
}

export function readStaticRules(line: ConfigLine, w: Walker, out: Rule[]): void {
  w.lines(line, (l) => {
    const r = parseRuleLine(l, w.diagnostics, true, rulePriorities(w));
    if (r) out.push(r);
  });
}

type TrackGroupDraft = { name: string; group: string[] };

export const TRACK_GROUP_SPEC = blockSpec<TrackGroupDraft>('track_group', {
  group: (g, line, w) => w.lines(line, (l) => g.group.push(...l.words)),
});

export function readTrackGroup(line: ConfigLine, w: Walker): TrackGroup | undefined {
  const name = word(line, 1, w.diagnostics, 'group name');
  if (name === undefined) {
    w.skip(line);
    return undefined;
  }
  const g: TrackGroupDraft = { name, group: [] };
  w.block(g, TRACK_GROUP_SPEC, line);
  return g;
}

const LINKBEAT_TYPES = new Set(['MII', 'ETHTOOL', 'IOCTL']);

export function readLinkbeatInterfaces(line: ConfigLine, w: Walker, out: Config['linkbeatInterfaces'][number][]): void {
  w.lines(line, (l) => {
    const [name, type] = l.words as [string, string | undefined];
    const at = positionOf(l);
    if (type !== undefined && !LINKBEAT_TYPES.has(type)) {
      w.diagnostics.warning(l, `linkbeat_interfaces: unknown polling type '${type}' - ignoring`);
      out.push({ name, at });
    } else out.push(type === undefined ? { name, at } : { name, type, at });
  });
}

export function readInterfaceDelays(line: ConfigLine, w: Walker, out: InterfaceDelay[]): void {
  w.lines(line, (l) => {
    const down = seconds(l, 1, 0, 255, w.diagnostics, 'interface_up_down_delays');
    if (down === undefined) return;
    // keepalived (vrrp_parser.c alloc_if_up_down_delay): without an up delay, a link coming up is acted on at once.
    const up = l.words[2] === undefined ? 0 : seconds(l, 2, 0, 255, w.diagnostics, 'interface_up_down_delays');
    if (up === undefined) return;
    out.push({ interface: l.words[0]!, downDelay: down, upDelay: up, at: positionOf(l) });
  });
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type GarpDraft = Mutable<GarpGroup> & { interfaces: string[] };

export const GARP_GROUP_SPEC = blockSpec<GarpDraft>('garp_group', {
  garp_interval: (g, line, w) => {
    const s = seconds(line, 1, 0, 1000, w.diagnostics);
    if (s !== undefined) g.garpInterval = s;
  },
  gna_interval: (g, line, w) => {
    const s = seconds(line, 1, 0, 1000, w.diagnostics);
    if (s !== undefined) g.gnaInterval = s;
  },
  interface: (g, line, w) => {
    const name = word(line, 1, w.diagnostics, 'interface name');
    if (name !== undefined) g.interface = name;
  },
  interfaces: (g, line, w) => w.lines(line, (l) => g.interfaces.push(...l.words)),
});

export function readGarpGroup(line: ConfigLine, w: Walker): GarpGroup {
  const g: GarpDraft = { at: { file: line.file, line: line.line }, interfaces: [] };
  w.block(g, GARP_GROUP_SPEC, line);
  if (g.interface !== undefined && g.interfaces.length > 0) w.diagnostics.warning(line, 'garp_group: give interface or interfaces, not both');
  if (g.interface === undefined && g.interfaces.length === 0) w.diagnostics.error(line, 'garp_group: no interface given');
  return g;
}
