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
