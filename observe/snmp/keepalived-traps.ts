/**
 * KEEPALIVED-MIB's notifications as keepalived 2.2.7 sends them (vrrp_snmp.c, from send_instance_notifies and
 * send_group_notifies: where the notify scripts run): vrrpInstanceStateChange and vrrpSyncGroupStateChange. As
 * keepalived does, the name and state objects are sent without an instance index.
 */
import type { Config } from '../../config/model.js';
import { VarType, type Oid, type VarBind } from '../../protocol/agentx-codec.js';
import { KEEPALIVED_GLOBAL, KEEPALIVED_VRRP } from './keepalived-mib.js';

export interface Trap {
  readonly oid: Oid;
  readonly varbinds: readonly VarBind[];
}

/** keepalived's trap states: init 0, backup 1, master 2, fault 3, stop 5, deleted 6, anything else 4. */
const TRAP_STATE: Record<string, number> = { INIT: 0, BACKUP: 1, MASTER: 2, FAULT: 3, STOP: 5, DELETED: 6 };

const str = (oid: Oid, value: string): VarBind => ({ oid, type: VarType.OctetString, value: Buffer.from(value) });
const int = (oid: Oid, value: number): VarBind => ({ oid, type: VarType.Integer, value });
const routerId = (config: Config, hostname: string): VarBind => str([...KEEPALIVED_GLOBAL, 2, 0], config.globalDefs.routerId ?? hostname);

export function trapsEnabled(config: Config): boolean {
  return config.globalDefs.enableTraps === true && config.globalDefs.enableSnmpVrrp === true;
}

/**
 * `specFrom`: where the instance is looked up when `config` (the running one, whose router_id is sent) has it no
 * more: a reload's removals are told with the instance as the old file had it.
 */
export function instanceStateTrap(config: Config, hostname: string, instance: string, state: string, specFrom?: Config): Trap | undefined {
  const spec = config.vrrpInstances.find((i) => i.name === instance) ?? specFrom?.vrrpInstances.find((i) => i.name === instance);
  if (spec === undefined) return undefined;
  return {
    oid: [...KEEPALIVED_VRRP, 10, 0, 2],
    varbinds: [
      str([...KEEPALIVED_VRRP, 3, 1, 2], instance),
      int([...KEEPALIVED_VRRP, 3, 1, 4], TRAP_STATE[state] ?? 4),
      int([...KEEPALIVED_VRRP, 3, 1, 5], spec.state === 'MASTER' ? 2 : 1),
      routerId(config, hostname),
    ],
  };
}

export function syncGroupStateTrap(config: Config, hostname: string, group: string, state: string): Trap {
  return {
    oid: [...KEEPALIVED_VRRP, 10, 0, 1],
    varbinds: [str([...KEEPALIVED_VRRP, 1, 1, 2], group), int([...KEEPALIVED_VRRP, 1, 1, 3], TRAP_STATE[state] ?? 4), routerId(config, hostname)],
  };
}
