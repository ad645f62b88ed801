/**
 * The kernel settings keepalived 2.2.7 changes while its VRRP side runs, and puts back when it stops:
 * - global_defs `disable_local_igmp`: net.ipv4.igmp_link_local_mcast_reports set to 0 (no IGMP reports for
 *   224.0.0.X groups, VRRP's 224.0.0.18 among them), put back to 1 at stop if it was 1 (vrrp_daemon.c
 *   set_disable_local_igmp / reset_disable_local_igmp). keepalived cannot change it at a reload: it says so.
 * - vrrp_instance `promote_secondaries`: net.ipv4.conf.IF.promote_secondaries set to 1 on the instance's
 *   interface, so that removing the primary address (a VIP in the same subnet being the first, say) promotes
 *   the secondaries instead of deleting them; an interface that had it already is left alone, one vigil set is
 *   put back to 0 when no instance asks for it any more (vrrp_if_config.c set_promote_secondaries /
 *   reset_promote_secondaries; measured: 0 → 1 while keepalived runs, 0 after it stops). Not for instances on a
 *   VMAC or ipvlan, whose interfaces have it set anyway (config/finalize-vmac.ts).
 */
import type { Sysctls } from '../../transport/sysctl.js';
import type { KeepalivedConfig } from '../vrrp/specs-from-config.js';
import type { DaemonLog } from '../environment.js';

export const IGMP_LINK_LOCAL_REPORTS = 'net/ipv4/igmp_link_local_mcast_reports';
export const promoteSecondariesKey = (ifname: string): string => `net/ipv4/conf/${ifname}/promote_secondaries`;

/** The interfaces whose promote_secondaries the configuration asks for. */
export function promotedInterfaces(config: KeepalivedConfig): Set<string> {
  return new Set(config.vrrpInstances.filter((i) => i.promoteSecondaries).map((i) => i.interface));
}

export class HostSysctls {
  /** disable_local_igmp changed the setting from 1: it goes back at stop. */
  private igmpChanged = false;
  /** The disable_local_igmp of the running configuration (a reload cannot change it). */
  private igmp = false;
  /** Interfaces whose promote_secondaries vigil turned on. */
  private readonly promoted = new Set<string>();

  constructor(
    private readonly sysctls: Sysctls,
    private readonly log: DaemonLog,
  ) {}

  start(config: KeepalivedConfig): void {
    this.igmp = config.globalDefs.disableLocalIgmp === true;
    if (this.igmp) this.disableLocalIgmp();
    this.promote(promotedInterfaces(config));
  }

  /** A reload: promote_secondaries follows the new instances; disable_local_igmp stays as the start made it. */
  reload(config: KeepalivedConfig): void {
    if ((config.globalDefs.disableLocalIgmp === true) !== this.igmp) this.log.info('Cannot change disable_local_igmp at a reload - please restart vigil');
    this.promote(promotedInterfaces(config));
  }

  /** What vigil changed goes back. */
  stop(): void {
    this.promote(new Set());
    if (this.igmpChanged) {
      this.write(IGMP_LINK_LOCAL_REPORTS, '1');
      this.igmpChanged = false;
    }
  }

  private disableLocalIgmp(): void {
    const value = this.sysctls.read(IGMP_LINK_LOCAL_REPORTS);
    if (value === undefined) {
      this.log.warn(`disable_local_igmp: cannot read /proc/sys/${IGMP_LINK_LOCAL_REPORTS}`);
      return;
    }
    if (value === '1' && this.write(IGMP_LINK_LOCAL_REPORTS, '0')) this.igmpChanged = true;
  }

  private promote(wanted: ReadonlySet<string>): void {
    for (const ifname of [...this.promoted]) {
      if (wanted.has(ifname)) continue;
      this.promoted.delete(ifname);
      this.write(promoteSecondariesKey(ifname), '0');
    }
    for (const ifname of wanted) {
      if (this.promoted.has(ifname)) continue;
      const value = this.sysctls.read(promoteSecondariesKey(ifname));
      // Missing (the interface is not there yet) or already on: nothing to do, nothing to put back.
      if (value === undefined || value === '1') continue;
      if (this.write(promoteSecondariesKey(ifname), '1')) this.promoted.add(ifname);
    }
  }

  private write(key: string, value: string): boolean {
    try {
      this.sysctls.write(key, value);
      return true;
    } catch (err) {
      this.log.warn(`cannot set /proc/sys/${key} to ${value}: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    }
  }
}
