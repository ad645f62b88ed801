/**
 * Routes and policy rules over rtnetlink, for keepalived's `virtual_routes`, `virtual_rules`, `static_routes`
 * and `static_rules` in their basic forms. Adding what exists and removing what is absent are not errors.
 */
import { createRtNetlink, rt, type RtNetlinkSocket } from './netlink-package.js';
import type { IpFamily } from '../../protocol/ip.js';
import { ipFamilyOf, ipToBytes } from '../../protocol/ip-bytes.js';
import { AF_INET, AF_INET6, bounded, CREATE_EXCL, scopeNumber, tolerate } from './netlink-common.js';

import type { RouteManager, RouteSpec, RuleSpec } from '../routes.js';

export type { RouteSpec, RuleSpec };

const RT_TABLE_MAIN = 254;
/** RTPROT_STATIC unless told otherwise (`ip route add` uses RTPROT_BOOT; recent keepalived its own, 18). */
const DEFAULT_PROTOCOL = 4;

export class NetlinkRoutes implements RouteManager {
  readonly #socket: RtNetlinkSocket = createRtNetlink();

  /** `onError`: errors the netlink socket reports (an unhandled one would end the process). */
  constructor(onError?: (message: string) => void) {
    this.#socket.socket.on('error', (error) => onError?.(`netlink (routes) socket: ${error.message}`));
  }

  async #ifindex(name: string): Promise<number> {
    for (const link of await bounded('RTM_GETLINK (dump)', (o) => this.#socket.getLinks(undefined, undefined, o))) {
      if (link.attrs.ifname === name && link.data.index !== undefined) return link.data.index;
    }
    throw Object.assign(new Error(`no such interface: ${name}`), { code: 'ENODEV' });
  }

  async #route(spec: RouteSpec): Promise<{ data: rt.Route; attrs: rt.RouteAttrs }> {
    const isDefault = spec.destination === 'default';
    const family: IpFamily = isDefault ? (spec.family ?? 4) : ipFamilyOf(spec.destination);
    const table = spec.table ?? RT_TABLE_MAIN;
    const type = spec.type ?? 'unicast';
    const attrs: rt.RouteAttrs = {};
    if (!isDefault) attrs.dst = Buffer.from(ipToBytes(spec.destination));
    if (spec.gateway !== undefined) attrs.gateway = Buffer.from(ipToBytes(spec.gateway));
    if (spec.interface !== undefined) attrs.oif = await this.#ifindex(spec.interface);
    if (spec.source !== undefined) attrs.prefsrc = Buffer.from(ipToBytes(spec.source));
    if (spec.metric !== undefined) attrs.priority = spec.metric;
    if (table > 255) attrs.table = table;
    // Without a gateway a unicast route is on-link (scope link), as `ip route` decides.
    const scope =
      spec.scope !== undefined
        ? scopeNumber(spec.scope)
        : type === 'local'
          ? 254
          : type === 'unicast' && spec.gateway === undefined && spec.interface !== undefined
            ? 253
            : 0;
    const data: rt.Route = {
      family: family === 4 ? AF_INET : AF_INET6,
      dstLen: isDefault ? 0 : (spec.prefix ?? (family === 4 ? 32 : 128)),
      table: table > 255 ? 252 : table, // RT_TABLE_COMPAT, the real id goes in RTA_TABLE
      protocol: spec.protocol ?? DEFAULT_PROTOCOL,
      scope,
      type: type.toUpperCase() as keyof typeof rt.RouteType,
    };
    return { data, attrs };
  }

  async addRoute(spec: RouteSpec): Promise<void> {
    const { data, attrs } = await this.#route(spec);
    await tolerate(bounded('RTM_NEWROUTE', (o) => this.#socket.newRoute(data, attrs, { ...o, flags: CREATE_EXCL })), ['EEXIST']);
  }

  async removeRoute(spec: RouteSpec): Promise<void> {
    const { data, attrs } = await this.#route(spec);
    delete data.protocol;
    await tolerate(bounded('RTM_DELROUTE', (o) => this.#socket.delRoute(data, attrs, o)), ['ESRCH', 'ENOENT']);
  }

  #rule(spec: RuleSpec): { data: rt.Rule; attrs: rt.RuleAttrs } {
    const attrs: rt.RuleAttrs = {};
    if (spec.from !== undefined) attrs.src = Buffer.from(ipToBytes(spec.from.address));
    if (spec.to !== undefined) attrs.dst = Buffer.from(ipToBytes(spec.to.address));
    if (spec.priority !== undefined) attrs.priority = spec.priority;
    if (spec.fwmark !== undefined) attrs.fwmark = spec.fwmark;
    if (spec.iif !== undefined) attrs.iifname = spec.iif;
    if (spec.oif !== undefined) attrs.oifname = spec.oif;
    attrs.table = spec.table;
    const data: rt.Rule = {
      family: spec.family === 4 ? AF_INET : AF_INET6,
      srcLen: spec.from?.prefix ?? 0,
      dstLen: spec.to?.prefix ?? 0,
      table: spec.table > 255 ? 0 : spec.table,
      action: 'toTbl',
    };
    return { data, attrs };
  }

  async addRule(spec: RuleSpec): Promise<void> {
    const { data, attrs } = this.#rule(spec);
    await tolerate(bounded('RTM_NEWRULE', (o) => this.#socket.newRule(data, attrs, { ...o, flags: CREATE_EXCL })), ['EEXIST']);
  }

  async removeRule(spec: RuleSpec): Promise<void> {
    const { data, attrs } = this.#rule(spec);
    await tolerate(bounded('RTM_DELRULE', (o) => this.#socket.delRule(data, attrs, o)), ['ENOENT', 'ESRCH']);
  }

  close(): void {
    this.#socket.socket.close();
  }
}
