/**
 * The iproute2 names of routes, rules and addresses, resolved as `keepalived -t` resolves them (vrrp_iproute.c,
 * vrrp_iprule.c, vrrp_ipaddress.c): a route's `table`, `protocol`, `scope`, `realms` and `tos` / `dsfield`; a
 * rule's `table` / `lookup`, `tos` / `dsfield`, `realms` and `suppress_ifgroup` / `sup_group`; an address's
 * `scope`. A name that is neither a number nor in the name file is refused: keepalived drops the entry (and
 * `keepalived -t` fails), so the route would not be where the file says.
 */
import type { Diagnostics, SourcePosition } from './diagnostics.js';
import type { Iproute2Names, NameKind } from './iproute2-names.js';
import type { Config, IpAddress, Route, Rule } from './model.js';

const WHAT: Readonly<Record<NameKind, string>> = {
  table: 'routing table',
  protocol: 'protocol',
  scope: 'scope',
  realm: 'realm',
  dsfield: 'tos',
  group: 'interface group',
};

export function checkNames(config: Config, names: Iproute2Names, d: Diagnostics): void {
  const known = (kind: NameKind, text: string, at: SourcePosition, owner: string): void => {
    if (names.resolve(kind, text) === undefined) d.error(at, `${owner}: ${WHAT[kind]} '${text}' is not a number or a name in ${names.sources(kind)}`);
  };
  /** `realms FROM/TO` or `realms TO`. */
  const realms = (text: string, at: SourcePosition, owner: string): void => {
    for (const part of text.split('/', 2)) known('realm', part, at, owner);
  };
  const addresses = (list: readonly IpAddress[], owner: string, at: SourcePosition): void => {
    for (const a of list) if (a.scope !== undefined) known('scope', a.scope, a.at ?? at, `${owner} ${a.address}/${a.prefix}`);
  };
  const routes = (list: readonly Route[], owner: string, at: SourcePosition): void => {
    for (const r of list) {
      const where = r.at ?? at;
      const what = `${owner} ${r.destination}/${r.prefix}`;
      if (r.table !== undefined) known('table', r.table, where, what);
      if (r.protocol !== undefined) known('protocol', r.protocol, where, what);
      if (r.scope !== undefined) known('scope', r.scope, where, what);
      for (const [k, v] of r.options) {
        if (k === 'realms') realms(v, where, what);
        else if (k === 'tos' || k === 'dsfield') known('dsfield', v, where, what);
      }
    }
  };
  const rules = (list: readonly Rule[], owner: string, at: SourcePosition): void => {
    for (const r of list) {
      const where = r.at ?? at;
      if (r.table !== undefined) known('table', r.table, where, owner);
      for (const [k, v] of r.options) {
        if (k === 'realms') realms(v, where, owner);
        else if (k === 'tos' || k === 'dsfield') known('dsfield', v, where, owner);
        else if (k === 'suppress_ifgroup' || k === 'sup_group') known('group', v, where, owner);
      }
    }
  };

  for (const v of config.vrrpInstances) {
    const owner = `vrrp_instance ${v.name}:`;
    addresses(v.virtualIpAddresses, `${owner} virtual_ipaddress`, v.at);
    addresses(v.excludedVirtualIpAddresses, `${owner} virtual_ipaddress_excluded`, v.at);
    routes(v.virtualRoutes, `${owner} virtual_routes`, v.at);
    rules(v.virtualRules, `${owner} virtual_rules`, v.at);
  }
  const top: SourcePosition = { file: '', line: 0 };
  addresses(config.staticIpAddresses, 'static_ipaddress', top);
  routes(config.staticRoutes, 'static_routes', top);
  rules(config.staticRules, 'static_rules', top);
}
