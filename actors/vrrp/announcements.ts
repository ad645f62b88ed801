/**
 * Gratuitous ARPs / unsolicited NAs for an instance's virtual addresses, one round at a time (the schedule of
 * rounds is the instance machine's garpTimer, machines/garp-timer.ts). Each address is announced from the
 * interface that holds it: a VMAC's MAC is the virtual router MAC.
 */
import type { Announcer, InterfaceAddress } from '../../transport/address-manager.js';

export class Announcements {
  private readonly byInterface: readonly (readonly [string, readonly InterfaceAddress[]])[];

  constructor(
    virtualAddresses: readonly InterfaceAddress[],
    private readonly announcer: Announcer,
    /** garp_extra_if: one address per interface (actors/vrrp/specs-from-config.ts). */
    private readonly extra: readonly InterfaceAddress[] = [],
  ) {
    const byInterface = new Map<string, InterfaceAddress[]>();
    for (const a of virtualAddresses) byInterface.set(a.interface, [...(byInterface.get(a.interface) ?? []), a]);
    this.byInterface = [...byInterface];
  }

  /** `rounds` rounds, each announcing every address once. */
  announce(rounds: number): void {
    for (let i = 0; i < rounds; i++) {
      for (const [name, addresses] of this.byInterface) this.announcer.announce(name, addresses);
    }
  }

  /** garp_extra_if: one announcement on each extra interface (keepalived vrrp_send_vmac_update). */
  announceExtra(): void {
    for (const a of this.extra) this.announcer.announce(a.interface, [a]);
  }
}
