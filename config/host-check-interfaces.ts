/**
 * The interfaces a configuration names, checked against the host's as `keepalived -t` does (vrrp_parser.c,
 * vrrp_track.c, vrrp_ipaddress.c, vrrp_iproute.c, vrrp_iprule.c, vrrp.c): every interface named by a vrrp_instance
 * (`interface`, `track_interface`, `vrf`), a vrrp_sync_group's `track_interface`, an address's, route's or next
 * hop's `dev` (a static address without one: default_interface), a rule's `iif` / `oif`, a garp_group, linkbeat_interfaces and interface_up_down_delays must exist,
 * unless global_defs sets `dynamic_interfaces`. Of an instance's existing interface keepalived also refuses a
 * loopback, one without multicast when no unicast_peer is given, a VMAC or ipvlan on a non-Ethernet interface, and
 * a `use_vmac NAME` / `use_ipvlan NAME` taken by an interface that is not a macvlan / ipvlan.
 *
 * /sys/class/net does not show a macvlan's mode: any existing interface stacked on another passes for the VMAC
 * (keepalived also wants it in private mode).
 */
import type { Diagnostics, SourcePosition } from './diagnostics.js';
import { ARPHRD_ETHER, ARPHRD_LOOPBACK, IFF_MULTICAST, type HostInterface } from './host-facts.js';
import type { Config, IpAddress, Route, Rule, VrrpInstance } from './model.js';

export function checkInterfaces(config: Config, interfaces: ReadonlyMap<string, HostInterface>, d: Diagnostics): void {
  const dynamic = config.globalDefs.dynamicInterfaces !== undefined;
  /** Reports a missing interface; returns the interface when it exists. */
  const need = (name: string, at: SourcePosition, what: string): HostInterface | undefined => {
    const found = interfaces.get(name);
    if (!found && !dynamic) d.error(at, `${what}: interface ${name} does not exist (see dynamic_interfaces)`);
    return found;
  };
  const addresses = (list: readonly IpAddress[], owner: string, keyword: string, at: SourcePosition): void => {
    for (const a of list) if (a.dev !== undefined) need(a.dev, a.at ?? at, `${owner}${keyword} ${a.address}/${a.prefix}`);
  };
  const routes = (list: readonly Route[], owner: string, at: SourcePosition): void => {
    for (const r of list) {
      const what = `${owner} ${r.destination}/${r.prefix}`;
      if (r.dev !== undefined) need(r.dev, r.at ?? at, what);
      for (const hop of r.nexthops) if (hop.dev !== undefined) need(hop.dev, r.at ?? at, `${what} nexthop`);
    }
  };
  const rules = (list: readonly Rule[], owner: string, at: SourcePosition): void => {
    for (const r of list) {
      if (r.iif !== undefined) need(r.iif, r.at ?? at, `${owner} iif`);
      if (r.oif !== undefined) need(r.oif, r.at ?? at, `${owner} oif`);
    }
  };

  for (const v of config.vrrpInstances) {
    const owner = `vrrp_instance ${v.name}`;
    if (v.interface !== '') {
      const found = need(v.interface, v.at, owner);
      if (found) checkInstanceInterface(v, found, interfaces, d);
    } else if (v.vrf !== undefined) {
      const vrf = need(v.vrf, v.at, `${owner} vrf`);
      if (vrf?.type === ARPHRD_LOOPBACK) d.error(v.at, `${owner}: cannot use the loopback interface ${vrf.name} as its vrf`);
    }
    for (const t of v.trackInterfaces) need(t.name, t.at ?? v.at, `${owner} track_interface`);
    addresses(v.virtualIpAddresses, `${owner}: `, 'virtual_ipaddress', v.at);
    addresses(v.excludedVirtualIpAddresses, `${owner}: `, 'virtual_ipaddress_excluded', v.at);
    routes(v.virtualRoutes, `${owner}: virtual_routes`, v.at);
    rules(v.virtualRules, `${owner}: virtual_rules`, v.at);
  }
  for (const g of config.vrrpSyncGroups) {
    for (const t of g.trackInterfaces) need(t.name, t.at ?? g.at, `vrrp_sync_group ${g.name} track_interface`);
  }
  // Top-level blocks carry no block position of their own; each entry has its line.
  const top: SourcePosition = { file: '', line: 0 };
  addresses(config.staticIpAddresses, '', 'static_ipaddress', top);
  // Without dev, keepalived puts it on default_interface (get_default_if), which must then exist.
  for (const a of config.staticIpAddresses) {
    if (a.dev === undefined) need(config.globalDefs.defaultInterface, a.at ?? top, `static_ipaddress ${a.address}/${a.prefix} (no dev: global_defs default_interface)`);
  }
  routes(config.staticRoutes, 'static_routes', top);
  rules(config.staticRules, 'static_rules', top);
  for (const g of config.garpGroups) {
    for (const name of [...(g.interface !== undefined ? [g.interface] : []), ...g.interfaces]) need(name, g.at, 'garp_group');
  }
  for (const l of config.linkbeatInterfaces) need(l.name, l.at ?? top, 'linkbeat_interfaces');
  for (const i of config.interfaceUpDownDelays) need(i.interface, i.at ?? top, 'interface_up_down_delays');
}

function checkInstanceInterface(v: VrrpInstance, found: HostInterface, interfaces: ReadonlyMap<string, HostInterface>, d: Diagnostics): void {
  const owner = `vrrp_instance ${v.name}`;
  if (found.type === ARPHRD_LOOPBACK) {
    d.error(v.at, `${owner}: cannot use the loopback interface ${found.name} for VRRP`);
    return;
  }
  if ((found.flags & IFF_MULTICAST) === 0 && v.unicastPeers.length === 0) {
    d.error(v.at, `${owner}: interface ${found.name} does not support multicast - give unicast_peer`);
  }
  if ((v.useVmac || v.useIpvlan) && found.type !== ARPHRD_ETHER) {
    d.error(v.at, `${owner}: ${v.useVmac ? 'use_vmac' : 'use_ipvlan'} needs an Ethernet interface and ${found.name} is not one`);
  }
  for (const [keyword, name] of [
    ['use_vmac', v.useVmac?.interface],
    ['use_ipvlan', v.useIpvlan?.interface],
  ] as const) {
    const taken = name !== undefined ? interfaces.get(name) : undefined;
    if (taken && taken.lower.length === 0) d.error(v.at, `${owner}: ${keyword} ${taken.name}: an interface of that name exists and is not a ${keyword === 'use_vmac' ? 'macvlan' : 'ipvlan'}`);
  }
}
