/** What one VRRP instance counts (keepalived's per-instance statistics, and vigil's drops by reason). */
import type { DropReason } from '../../protocol/vrrp-types.js';

export interface InstanceCounters {
  advertsSent: number;
  advertsReceived: number;
  priorityZeroSent: number;
  priorityZeroReceived: number;
  becomeMaster: number;
  releaseMaster: number;
  transitions: number;
  addressListErrors: number;
  drops: Partial<Record<DropReason, number>>;
}

export function newCounters(): InstanceCounters {
  return {
    advertsSent: 0,
    advertsReceived: 0,
    priorityZeroSent: 0,
    priorityZeroReceived: 0,
    becomeMaster: 0,
    releaseMaster: 0,
    transitions: 0,
    addressListErrors: 0,
    drops: {},
  };
}

/**
 * keepalived's PrintStatsClear (vrrp_print.c vrrp_print_stats(true), and `--signum=STATS_CLEAR`): the statistics
 * are zeroed once printed. What keepalived's vrrp_stats holds is zeroed here, in place (the advert sender counts
 * into the same object): advertisements sent and received, priority 0 sent and received, became / released
 * master, address list errors and the packet errors (the drops by reason: length, TTL, type, interval,
 * authentication, …). So are what reads them: the stats dump, `vigil status`, the per-instance /metrics counters
 * (keepalived_advertisements_*_total, keepalived_become_master_total, keepalived_release_master_total,
 * keepalived_*_errors_total, keepalived_authentication_*_total, keepalived_priority_zero_*_total and
 * vigil_dropped_packets_total{iname}), and KEEPALIVED-MIB / VRRP-MIB / VRRPV3-MIB statistics (the RFC 6527
 * reasons keepalived also zeroes are the SNMP service's: observe/snmp/snmp-service.ts clearStats).
 * `transitions` is vigil's own (keepalived has no such statistic) and is kept, as are the node's drops before an
 * instance is known and vigil_transitions_total (counted from the inspection stream).
 */
export function clearCounters(c: InstanceCounters): void {
  c.advertsSent = 0;
  c.advertsReceived = 0;
  c.priorityZeroSent = 0;
  c.priorityZeroReceived = 0;
  c.becomeMaster = 0;
  c.releaseMaster = 0;
  c.addressListErrors = 0;
  for (const reason of Object.keys(c.drops) as (keyof InstanceCounters['drops'])[]) delete c.drops[reason];
}
