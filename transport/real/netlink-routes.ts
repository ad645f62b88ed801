/**
 * Routes and policy rules over rtnetlink, with every option keepalived 2.2.7 sends: the requests are encoded by
 * protocol/rtnetlink-routes.ts, byte for byte, and sent on the `netlink` package's socket (which adds the header,
 * the sequence number and waits for the ACK). Interfaces are looked up by name for each request (RTM_GETLINK), as
 * an interface may come and go. Adding what exists and removing what is absent are not errors.
 */
import { createRtNetlink, type RtNetlinkSocket } from './netlink-package.js';
import { getLinkRequest, linkIndexOf, routeRequest, ruleRequest, type RtnetlinkRequest } from '../../protocol/rtnetlink-routes.js';
import { netlinkErrorCode, tolerate } from './netlink-common.js';

import type { RouteManager, RouteSpec, RuleSpec } from '../routes.js';

export type { RouteSpec, RuleSpec };

export class NetlinkRoutes implements RouteManager {
  readonly #socket: RtNetlinkSocket = createRtNetlink();

  async #send(request: RtnetlinkRequest): Promise<Uint8Array[]> {
    const [replies] = await this.#socket.socket.request(request.type, request.payload, { flags: request.flags });
    return replies.map((m) => m.data);
  }

  async #ifindex(name: string): Promise<number> {
    let reply: Uint8Array | undefined;
    try {
      [reply] = await this.#send(getLinkRequest(name));
    } catch (error) {
      if (netlinkErrorCode(error) !== 'ENODEV') throw error;
    }
    if (reply) return linkIndexOf(reply);
    throw Object.assign(new Error(`no such interface: ${name}`), { code: 'ENODEV' });
  }

  /** The route's request, its interfaces looked up first. */
  async #route(op: 'add' | 'delete', spec: RouteSpec): Promise<RtnetlinkRequest> {
    const names = [spec.dev, ...spec.nexthops.map((h) => h.dev)].filter((n): n is string => n !== undefined);
    const indexes = new Map<string, number>();
    for (const name of new Set(names)) indexes.set(name, await this.#ifindex(name));
    return routeRequest(op, spec, (name) => indexes.get(name)!);
  }

  async addRoute(spec: RouteSpec): Promise<void> {
    await tolerate(this.#send(await this.#route('add', spec)), ['EEXIST']);
  }

  async removeRoute(spec: RouteSpec): Promise<void> {
    await tolerate(this.#send(await this.#route('delete', spec)), ['ESRCH', 'ENOENT']);
  }

  async addRule(spec: RuleSpec): Promise<void> {
    await tolerate(this.#send(ruleRequest('add', spec)), ['EEXIST']);
  }

  async removeRule(spec: RuleSpec): Promise<void> {
    await tolerate(this.#send(ruleRequest('delete', spec)), ['ENOENT', 'ESRCH']);
  }

  close(): void {
    this.#socket.socket.close();
  }
}
