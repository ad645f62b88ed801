/**
 * keepalived's tracking of static_ipaddress (keepalived_netlink.c reinstate_static_address,
 * vrrp_static_track.c static_track_group_reinstate_config): a static address without `no_track` that the kernel
 * deletes is put back at once, and put back when its interface comes up again (the kernel flushes IPv6 addresses
 * of a link that goes down). The instances of its `track_group` track its interface (actors/vrrp/
 * specs-from-config.ts).
 */
import type { DaemonEnvironment } from '../environment.js';
import { addressOf, staticAddressInterface, type KeepalivedConfig } from '../vrrp/specs-from-config.js';

/** Starts watching; the function returned stops it (before vigil removes the static addresses itself). */
export function trackStaticAddresses(env: DaemonEnvironment, config: KeepalivedConfig): (() => void) | undefined {
  const { addresses, log } = env;
  const tracked = config.staticIpAddresses.filter((a) => !a.noTrack).map((a) => addressOf(a, staticAddressInterface(a, config)));
  if (tracked.length === 0) return undefined;
  const restore = (a: (typeof tracked)[number], why: string): void => {
    log.info(`static_ipaddress ${a.address}/${a.prefix} on ${a.interface}: ${why} - restoring it`);
    addresses.addAddress(a).catch((err: unknown) => log.warn(`static_ipaddress ${a.address}: ${String(err)}`));
  };
  const removals = addresses.addressEvents$?.subscribe((e) => {
    if (e.kind !== 'removed') return;
    for (const a of tracked) {
      if (a.interface === e.address.interface && a.address === e.address.address && a.prefix === e.address.prefix) restore(a, 'deleted');
    }
  });
  const links = addresses.linkEvents$.subscribe((event) => {
    if (!event.up) return;
    for (const a of tracked) if (a.interface === event.interface) restore(a, `${event.interface} is up`);
  });
  return () => {
    removals?.unsubscribe();
    links.unsubscribe();
  };
}
