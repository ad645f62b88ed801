/**
 * The route announcer on a real host: a non-persistent TUN device (native/src/tun_device.cc), made at the first
 * announcement, and host routes through it over rtnetlink (NetlinkRoutes) in the announce tables, marked with
 * RTPROT_VIGIL. The device's descriptor is this process's: when the process ends, however it ends, the kernel
 * deletes the device and every route through it, and the BGP speaker exporting the table withdraws them.
 */
import { closeSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { openTunDevice } from '../../native/index.js';
import { RTN_UNICAST, type RouteSpec } from '../../protocol/rtnetlink-routes.js';
import { ANNOUNCE_DEVICE, RTPROT_VIGIL, type AnnouncedRoute, type RouteAnnouncer } from '../route-announcer.js';
import { NetlinkRoutes } from './netlink-routes.js';

/** RT_SCOPE_LINK: the route is to a device, with no gateway. */
const RT_SCOPE_LINK = 253;

export function announcedRouteSpec(route: AnnouncedRoute, device: string): RouteSpec {
  const family = isIPv6(route.vip) ? 6 : 4;
  return {
    family,
    type: RTN_UNICAST,
    destination: { address: route.vip, prefix: family === 6 ? 128 : 32 },
    dev: device,
    tos: 0,
    table: route.table,
    protocol: RTPROT_VIGIL,
    scope: family === 4 ? RT_SCOPE_LINK : undefined,
    onlink: false,
    metrics: {},
    lock: 0,
    nexthops: [],
    mode: 'prepend',
    tracked: false,
  };
}

export class TunRouteAnnouncer implements RouteAnnouncer {
  #fd: number | undefined;
  #routes: NetlinkRoutes | undefined;
  /** The requests in the order they were made: an announce and the withdraw right after it must not cross. */
  #chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly device = ANNOUNCE_DEVICE,
    private readonly onError?: (message: string) => void,
  ) {}

  /** The device, made once (its descriptor held until close()). */
  #ready(): NetlinkRoutes {
    if (this.#fd === undefined) this.#fd = openTunDevice(this.device);
    this.#routes ??= new NetlinkRoutes(this.onError);
    return this.#routes;
  }

  #inOrder(request: () => Promise<void>): Promise<void> {
    const done = this.#chain.then(request);
    this.#chain = done.catch(() => undefined);
    return done;
  }

  announce(route: AnnouncedRoute): Promise<void> {
    return this.#inOrder(() => this.#ready().addRoute(announcedRouteSpec(route, this.device)));
  }

  withdraw(route: AnnouncedRoute): Promise<void> {
    return this.#inOrder(async () => {
      if (this.#fd === undefined) return;
      await this.#ready().removeRoute(announcedRouteSpec(route, this.device));
    });
  }

  /** The device goes, and every route through it with it. */
  close(): Promise<void> {
    return this.#inOrder(async () => this.#close());
  }

  #close(): void {
    const fd = this.#fd;
    this.#fd = undefined;
    if (fd !== undefined) closeSync(fd);
    this.#routes?.close();
    this.#routes = undefined;
  }
}
