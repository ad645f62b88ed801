/**
 * Daemon status fixtures (actors/status.ts) for the tests of what reads a status: dumps, `vigil status`, SNMP.
 * The spreads keep the fields in the status's own order, so a JSON text of one is as the daemon would write it.
 */
import type { InstanceStatus } from '../actors/status.js';

/** The counters of an instance that became master once (two transitions), with `over` in place. */
export function masterCounters(over: Partial<InstanceStatus['counters']> = {}): InstanceStatus['counters'] {
  return {
    adverts_sent: 0,
    adverts_received: 0,
    priority_zero_sent: 0,
    priority_zero_received: 0,
    become_master: 1,
    release_master: 0,
    transitions: 2,
    address_list_errors: 0,
    restarts: 0,
    drops: {},
    ...over,
  };
}

/** VI_1: VRID 51 on eth0, IPv4, VRRPv3, priority 100, MASTER with no VIP and masterCounters(), with `over` in place. */
export function instanceStatus(over: Partial<InstanceStatus> = {}): InstanceStatus {
  return {
    name: 'VI_1',
    state: 'MASTER',
    vrid: 51,
    interface: 'eth0',
    family: 4,
    version: 3,
    priority: 100,
    effective_priority: 100,
    master_address: null,
    vips: [],
    counters: masterCounters(),
    ...over,
  };
}
