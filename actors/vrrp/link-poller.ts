/**
 * keepalived's linkbeat (`linkbeat_interfaces`, `linkbeat_use_polling`): the link state of these interfaces is
 * read every second instead of taken from netlink notifications, which are then ignored for them (keepalived
 * 2.2.7 vrrp_if.c if_linkbeat_refresh_thread, POLLING_DELAY; keepalived_netlink.c skips their link messages).
 * A change a poll finds is acted on at once (no interface_up_down_delays, as keepalived). What is read is
 * AddressManager.pollCarrier: the PHY's MII registers, the carrier (what ETHTOOL_GLINK reports) or the flags, the
 * first the interface supports from its linkbeat_interfaces type on, as keepalived falls back.
 * Timers run on the injected Clock.
 */
import type { Clock, TimerId } from '../../machines/clock.js';

/** keepalived POLLING_DELAY: one second between reads. */
export const LINKBEAT_POLL_MS = 1000;

export class LinkPoller {
  private readonly timers = new Map<string, TimerId>();

  constructor(
    private readonly clock: Clock,
    private readonly read: (interfaceName: string) => boolean,
    /** Called with every reading; the receiver acts on changes only. */
    private readonly polled: (interfaceName: string, up: boolean) => void,
  ) {}

  /** Polls exactly these interfaces from now on (a reload may change the set; kept ones keep their rhythm). */
  setInterfaces(names: readonly string[]): void {
    const wanted = new Set(names);
    for (const [name, id] of this.timers) {
      if (wanted.has(name)) continue;
      this.clock.clearTimeout(id);
      this.timers.delete(name);
    }
    for (const name of wanted) if (!this.timers.has(name)) this.schedule(name);
  }

  has(interfaceName: string): boolean {
    return this.timers.has(interfaceName);
  }

  close(): void {
    this.setInterfaces([]);
  }

  private schedule(name: string): void {
    this.timers.set(
      name,
      this.clock.setTimeout(() => {
        this.polled(name, this.read(name));
        if (this.timers.has(name)) this.schedule(name);
      }, LINKBEAT_POLL_MS),
    );
  }
}
