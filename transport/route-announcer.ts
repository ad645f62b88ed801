/**
 * The route announcer (vigil's `announce_table`): host routes to virtual addresses, in routing tables that a BGP
 * speaker exports (BIRD's kernel protocol with `learn`, FRR zebra's `ip import-table`), so that the speaker
 * announces what vigil puts there. vigil is not a BGP speaker; the kernel's table is the whole interface.
 *
 * The contract (test/contract/route-announcer-contract.ts, run on the real and the simulated implementation):
 * - announce(route): VIP/32 (/128 for IPv6) is in table `route.table`, marked with protocol RTPROT_VIGIL; again is
 *   harmless. The same address in two tables is two routes.
 * - withdraw(route): that route is gone, no other; withdrawing what is not there is harmless.
 * - close(): every route announced is gone (vigil stops).
 * - When the process dies, however it dies (SIGKILL included), every route goes with it, without its help: the
 *   routes point at a device that exists only as long as the process (a non-persistent TUN device), and the
 *   kernel deletes them with it.
 */

/** The routing protocol number the announced routes carry (`ip route show table T proto 86`; 18 is keepalived's). */
export const RTPROT_VIGIL = 86;

/** The device the routes point at, unless global_defs says otherwise. */
export const ANNOUNCE_DEVICE = 'vigil-announce';

export interface AnnouncedRoute {
  /** The address (IPv4 or IPv6), without a prefix: the route is to it alone. */
  readonly vip: string;
  readonly table: number;
}

export interface RouteAnnouncer {
  announce(route: AnnouncedRoute): Promise<void>;
  withdraw(route: AnnouncedRoute): Promise<void>;
  close(): Promise<void>;
  /**
   * global_defs announce_device: the device the routes go through, from the first announcement on (a device in
   * use is kept until close(); the returned text says so). Absent where there is no device (the simulator).
   */
  useDevice?(name: string): string | undefined;
}

/** The key of a route in sets and messages: `VIP table T`. */
export function announcedKey(route: AnnouncedRoute): string {
  return `${route.vip} table ${route.table}`;
}
