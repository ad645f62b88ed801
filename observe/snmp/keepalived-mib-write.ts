/**
 * The KEEPALIVED-MIB objects keepalived 2.2.7 lets an SNMP manager set (vrrp/vrrp_snmp.c, its write methods):
 * vrrpInstanceBasePriority (column 7: the instance's priority, the effective one recomputed, elections following)
 * and vrrpInstancePreempt (column 13: true(1) / false(2), as `nopreempt`). vrrpInstanceAccept (27) of a VRRPv3
 * instance is refused with noAccess (keepalived's build has no ALLOW_SNMP_SET_ACCEPT); every other object,
 * accept of a VRRPv2 instance among them, is notWritable.
 * One difference is vigil's: keepalived takes the low byte of a priority (300 becomes 44, 256 is refused as 0);
 * vigil refuses anything outside 1..255 with wrongValue.
 * A set lasts until the next reload, which takes the file's values again (actors/vrrp/vrrp-node.ts reconfigure).
 */
import type { Config } from '../../config/model.js';
import { AgentxError, VarType, type VarBind } from '../../protocol/agentx-codec.js';
import type { MibWriter } from '../../transport/agentx-subagent.js';
import { KEEPALIVED_VRRP } from './keepalived-mib.js';
import { changeWriter } from './change-writer.js';

/** What a set acts on: the running instances, by name. */
export interface InstanceControl {
  basePriority(instance: string): number | undefined;
  preempt(instance: string): boolean | undefined;
  setBasePriority(instance: string, priority: number): boolean;
  setPreempt(instance: string, preempt: boolean): boolean;
}

const PRIORITY = 7;
const PREEMPT = 13;
const ACCEPT = 27;
/** vrrpInstanceTable's columns: KEEPALIVED_VRRP.3.1.<column>.<instance index>. */
const TABLE = [...KEEPALIVED_VRRP, 3, 1];

type Change = { readonly instance: string; readonly column: typeof PRIORITY | typeof PREEMPT; readonly value: number };

/** The change a varbind asks for, or the AgentX error refusing it. */
function changeOf(config: Config, vb: VarBind): Change | number {
  const inTable = vb.oid.length === TABLE.length + 2 && TABLE.every((v, k) => vb.oid[k] === v);
  const column = vb.oid[TABLE.length];
  const inst = inTable ? config.vrrpInstances[(vb.oid[TABLE.length + 1] ?? 0) - 1] : undefined;
  if (inst === undefined) return AgentxError.notWritable;
  if (column === ACCEPT && inst.version === 3) return AgentxError.noAccess;
  if (column !== PRIORITY && column !== PREEMPT) return AgentxError.notWritable;
  if (vb.type !== VarType.Integer) return AgentxError.wrongType;
  const value = vb.value | 0;
  if (column === PRIORITY && (value < 1 || value > 255)) return AgentxError.wrongValue;
  if (column === PREEMPT && value !== 1 && value !== 2) return AgentxError.wrongValue;
  return { instance: inst.name, column, value };
}

export function keepalivedMibWriter(config: () => Config | undefined, control: InstanceControl, log: { info(message: string): void }): MibWriter {
  const apply = (change: Change, value: number): void => {
    if (change.column === PRIORITY) control.setBasePriority(change.instance, value);
    else control.setPreempt(change.instance, value === 1);
  };
  return changeWriter<Change>({
    config,
    changeOf,
    present: (change) => control.basePriority(change.instance) !== undefined,
    make: (change) => {
      let before: number;
      if (change.column === PRIORITY) {
        before = control.basePriority(change.instance) ?? change.value;
        log.info(`(${change.instance}) base priority changed from ${before} to ${change.value} via SNMP.`);
      } else {
        before = control.preempt(change.instance) === false ? 2 : 1;
        log.info(`(${change.instance}) preemption ${change.value === 1 ? 'enabled' : 'disabled'} with SNMP`);
      }
      apply(change, change.value);
      return () => apply(change, before);
    },
  });
}
