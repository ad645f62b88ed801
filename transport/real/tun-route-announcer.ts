/**
 * The route announcer on a real host: a non-persistent TUN device (native/src/tun_device.cc), made at the first
 * announcement, and host routes through it over rtnetlink (NetlinkRoutes) in the announce tables, marked with
 * RTPROT_VIGIL. The device lives as long as a descriptor of it is open: this process's, and its guardian's.
 *
 * When vigil dies, however it dies (SIGKILL included), the kernel deletes the device and every route through it.
 * For IPv4 it does so silently (no RTM_DELROUTE: fib_flush), which BIRD's kernel protocol follows (it drops what
 * was learned through an interface that goes) but FRR 8's zebra does not (its `ip import-table` copy stays, and
 * bgpd goes on announcing it). So a guardian, a shell started with the device's descriptor and a pipe from vigil,
 * waits for the pipe to close (vigil gone, by whatever end), then deletes the routes through the device with
 * `ip route flush` (each deletion notified to every listener) and exits, and the device goes with its last
 * descriptor. Killed together with vigil (a whole process group), the guardian can do nothing, and the kernel's
 * silent removal is what is left.
 */
import { spawn, type ChildProcess } from 'node:child_process';
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

/** The guardian's script: wait for vigil's end (EOF on stdin), then delete what goes through the device (fd 3). */
export function guardianScript(device: string): string {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(device)) throw new Error(`announce device name '${device}' is not a plain interface name`);
  const flush = (family: string): string => `ip ${family} route flush table all proto ${RTPROT_VIGIL} dev ${device} 2>/dev/null`;
  return `while read -r _; do :; done; ${flush('-4')}; ${flush('-6')}; exit 0`;
}

export class TunRouteAnnouncer implements RouteAnnouncer {
  #fd: number | undefined;
  #guardian: ChildProcess | undefined;
  #routes: NetlinkRoutes | undefined;
  /** The requests in the order they were made: an announce and the withdraw right after it must not cross. */
  #chain: Promise<void> = Promise.resolve();

  constructor(
    private device = ANNOUNCE_DEVICE,
    private readonly onError?: (message: string) => void,
  ) {}

  useDevice(name: string): string | undefined {
    if (name === this.device) return undefined;
    if (this.#fd !== undefined) return `announce_device ${name}: the routes go through ${this.device} until vigil restarts`;
    this.device = name;
    return undefined;
  }

  /** The device, made once (its descriptor held until close()), and its guardian. */
  #ready(): NetlinkRoutes {
    if (this.#fd === undefined) {
      this.#fd = openTunDevice(this.device);
      this.#guard(this.#fd);
    }
    this.#routes ??= new NetlinkRoutes(this.onError);
    return this.#routes;
  }

  #guard(fd: number): void {
    let guardian: ChildProcess;
    try {
      guardian = spawn('/bin/sh', ['-c', guardianScript(this.device)], { stdio: ['pipe', 'ignore', 'ignore', fd], detached: true, env: { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin' } });
    } catch (error) {
      this.onError?.(`announce: no guardian for ${this.device} (${error instanceof Error ? error.message : String(error)}): if vigil dies, a speaker that misses IPv4 routes going silently keeps them`);
      return;
    }
    guardian.on('error', (error) => this.onError?.(`announce: guardian of ${this.device}: ${error.message}`));
    guardian.on('exit', () => {
      if (this.#guardian === guardian && this.#fd !== undefined) this.onError?.(`announce: the guardian of ${this.device} ended while vigil runs`);
    });
    // Neither the guardian nor its pipe keeps vigil's event loop alive.
    guardian.unref();
    (guardian.stdin as { unref?: () => void } | null)?.unref?.();
    this.#guardian = guardian;
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

  /** The device goes, and every route through it with it (the guardian flushes them, and ends). */
  close(): Promise<void> {
    return this.#inOrder(async () => {
      const guardian = this.#guardian;
      this.#guardian = undefined;
      const fd = this.#fd;
      this.#fd = undefined;
      if (guardian !== undefined && guardian.exitCode === null && guardian.signalCode === null) {
        const ended = new Promise<void>((resolve) => guardian.once('exit', () => resolve()));
        guardian.stdin?.end();
        await ended;
      }
      if (fd !== undefined) closeSync(fd);
      this.#routes?.close();
      this.#routes = undefined;
    });
  }
}
