/**
 * Routes and policy rules over rtnetlink, with every option keepalived 2.2.7 sends: the requests are encoded by
 * protocol/rtnetlink-routes.ts, byte for byte, and sent on the `netlink` package's socket (which adds the header,
 * the sequence number and waits for the ACK). Interfaces are looked up by name for each request (RTM_GETLINK), as
 * an interface may come and go. Adding what exists and removing what is absent are not errors.
 *
 * Deletions are read from a second socket, opened when `deletions$` is first subscribed to and joined to the
 * route and rule groups of both families (raw messages: the package's parsed event drops NEW vs DEL).
 */
import { createRequire } from 'node:module';
import type { Observable as ObservableOf } from 'rxjs';
import { createNetlink, createRtNetlink, Protocol, type NetlinkSocket, type RtNetlinkSocket } from './netlink-package.js';
import { getLinkRequest, linkIndexOf, routeRequest, RTM_DELROUTE, RTM_DELRULE, ruleRequest, type RtnetlinkRequest } from '../../protocol/rtnetlink-routes.js';
import { parseRouteNotice, parseRuleNotice, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV4_RULE, RTNLGRP_IPV6_ROUTE, RTNLGRP_IPV6_RULE } from '../../protocol/rtnetlink-notices.js';
import { bounded, netlinkErrorCode, tolerate } from './netlink-common.js';

import type { KernelDeletion, RouteManager, RouteSpec, RuleSpec } from '../routes.js';

export type { RouteSpec, RuleSpec };

// Required from rxjs/internal, not imported from 'rxjs': the whole index costs the daemon's start (transport/subject.ts).
const { Observable } = createRequire(import.meta.url)('rxjs/internal/Observable') as typeof import('rxjs/internal/Observable');

export class NetlinkRoutes implements RouteManager {
  readonly #socket: RtNetlinkSocket = createRtNetlink();
  /** Interface names by index, as looked up for requests: a deleted route names its interface by index. */
  readonly #names = new Map<number, string>();

  /** `onError`: errors the netlink socket reports (an unhandled one would end the process). */
  constructor(onError?: (message: string) => void) {
    this.#socket.socket.on('error', (error) => onError?.(`netlink (routes) socket: ${error.message}`));
  }

  readonly deletions$: ObservableOf<KernelDeletion> = new Observable<KernelDeletion>((subscriber) => {
    const socket: NetlinkSocket = createNetlink(Protocol.ROUTE, { recvBufferSize: 1 << 20, sendBufferSize: 0 });
    for (const group of [RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE, RTNLGRP_IPV4_RULE, RTNLGRP_IPV6_RULE]) socket.addMembership(group);
    socket.on('message', (messages) => {
      for (const m of messages) {
        if (m.type === RTM_DELROUTE) {
          const route = parseRouteNotice(m.data, (index) => this.#names.get(index));
          if (route) subscriber.next({ kind: 'route', route });
        } else if (m.type === RTM_DELRULE) {
          const rule = parseRuleNotice(m.data);
          if (rule) subscriber.next({ kind: 'rule', rule });
        }
      }
    });
    // ENOBUFS (notifications lost) must not crash the daemon; what was lost is not seen, as in keepalived.
    socket.on('error', () => undefined);
    return () => socket.close();
  });

  async #send(request: RtnetlinkRequest): Promise<Uint8Array[]> {
    const [replies] = await bounded(`message type ${request.type}`, (o) => this.#socket.socket.request(request.type, request.payload, { ...o, flags: request.flags }));
    return replies.map((m) => m.data);
  }

  async #ifindex(name: string): Promise<number> {
    let reply: Uint8Array | undefined;
    try {
      [reply] = await this.#send(getLinkRequest(name));
    } catch (error) {
      if (netlinkErrorCode(error) !== 'ENODEV') throw error;
    }
    if (reply) {
      const index = linkIndexOf(reply);
      this.#names.set(index, name);
      return index;
    }
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
    let request: RtnetlinkRequest;
    try {
      request = await this.#route('delete', spec);
    } catch (error) {
      // The interface is gone, and the kernel removed the routes through it with it.
      if (netlinkErrorCode(error) === 'ENODEV') return;
      throw error;
    }
    await tolerate(this.#send(request), ['ESRCH', 'ENOENT']);
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
