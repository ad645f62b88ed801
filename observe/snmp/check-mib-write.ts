/**
 * The KEEPALIVED-MIB check object keepalived 2.2.7 lets an SNMP manager set (check/check_snmp.c
 * check_snmp_realserver_weight): realServerWeight (realServerTable column 7), a real server's effective weight. The
 * load balancer's weight and the quorum follow at once (ipwrapper.c update_svr_wgt); a failed server keeps the weight
 * for when it comes back. A sorry server's row has no weight to set; every other object is notWritable.
 * One difference is vigil's: keepalived takes the first byte of the value (300 becomes 44); vigil takes the value
 * whole, 0 to IPVS's limit (2147483647), and refuses a negative one with wrongValue.
 * A set lasts until the next reload, which takes the file's weights again (keepalived set_effective_weights;
 * actors/daemon/daemon.ts reload).
 */
import type { Config } from '../../config/model.js';
import { AgentxError, VarType, type VarBind } from '../../protocol/agentx-codec.js';
import type { MibWriter } from '../../transport/agentx-subagent.js';
import { KEEPALIVED_CHECK } from './keepalived-mib.js';
import { changeWriter } from './change-writer.js';

/** What a set acts on: the running checker side's real servers, by 0-based positions in the configuration. */
export interface RealServerControl {
  /** The real server's effective weight now; undefined when there is no such running real server. */
  realServerWeight(vs: number, rs: number): number | undefined;
  setRealServerWeight(vs: number, rs: number, weight: number): boolean;
}

const WEIGHT = 7;
/** realServerTable's columns: KEEPALIVED_CHECK.4.1.<column>.<virtual server index>.<real server index>. */
const TABLE = [...KEEPALIVED_CHECK, 4, 1];

type Change = { readonly vs: number; readonly rs: number; readonly weight: number };

/** The change a varbind asks for, or the AgentX error refusing it. */
function changeOf(config: Config, vb: VarBind): Change | number {
  const inTable = vb.oid.length === TABLE.length + 3 && TABLE.every((v, k) => vb.oid[k] === v);
  if (!inTable || vb.oid[TABLE.length] !== WEIGHT) return AgentxError.notWritable;
  const vs = (vb.oid[TABLE.length + 1] ?? 0) - 1;
  const virtualServer = config.virtualServers[vs];
  if (virtualServer === undefined) return AgentxError.notWritable;
  // The sorry server is the virtual server's first row.
  const rs = (vb.oid[TABLE.length + 2] ?? 0) - 1 - (virtualServer.sorryServer !== undefined ? 1 : 0);
  if (virtualServer.realServers[rs] === undefined) return AgentxError.notWritable;
  if (vb.type !== VarType.Integer) return AgentxError.wrongType;
  const weight = vb.value | 0;
  if (weight < 0) return AgentxError.wrongValue;
  return { vs, rs, weight };
}

export function checkMibWriter(config: () => Config | undefined, control: RealServerControl): MibWriter {
  return changeWriter<Change>({
    config,
    changeOf,
    present: (change) => control.realServerWeight(change.vs, change.rs) !== undefined,
    make: (change) => {
      const before = control.realServerWeight(change.vs, change.rs) ?? change.weight;
      control.setRealServerWeight(change.vs, change.rs, change.weight);
      return () => control.setRealServerWeight(change.vs, change.rs, before);
    },
  });
}
