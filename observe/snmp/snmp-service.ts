/**
 * The SNMP side of `vigil run`: the subagent the running configuration asks for, made again when a reload changes
 * what it asks for (enabled or not, snmp_socket), as keepalived re-reads them on reload; the notifications of the
 * VRRP side's and the checker side's changes, from the daemon's bus.
 */
import type { Observable, Subscription } from 'rxjs';
import type { BusMessage } from '../../actors/bus.js';
import type { Subagent } from '../../transport/agentx-subagent.js';
import { rfcSources, snmpAgentFor, snmpMibs, type InstanceHistory, type SnmpAgentSources } from './snmp-agent.js';
import { newMasterTrap } from './vrrp-mib.js';
import { PROTO_ERROR, v3NewMasterTrap, v3ProtoErrorTrap } from './vrrpv3-mib.js';
import type { MasterReason } from '../../machines/vrrp-instance.js';
import type { DropReason } from '../../protocol/vrrp-types.js';
import { instanceStateTrap, syncGroupStateTrap, trapsEnabled, type Trap } from './keepalived-traps.js';
import { checkTrapsEnabled, checkerTrap } from './check-traps.js';

export interface SnmpServiceSources extends SnmpAgentSources {
  /** The daemon's bus: state changes become notifications (enable_traps). */
  readonly messages$: Observable<BusMessage>;
}

export class SnmpService {
  private agent: Subagent | undefined;
  private settings = '';
  private readonly traps: Subscription;
  /** sysUpTime-like centiseconds (the clock's milliseconds / 10) when each instance left INIT (vrrpOperVirtualRouterUpTime). */
  private readonly upSince = new Map<string, number>();
  /** Why each instance last became master, and its last protocol error (RFC 6527). */
  private readonly masterReason = new Map<string, MasterReason>();
  private readonly protoError = new Map<string, DropReason>();
  private readonly history: InstanceHistory = {
    upSince: (i) => this.upSince.get(i),
    masterReason: (i) => this.masterReason.get(i),
    protoError: (i) => this.protoError.get(i),
  };
  /** State changes before the first apply() (the daemon starting): sent once it is known whether traps are on. */
  private early: BusMessage[] | undefined = [];

  constructor(private readonly sources: SnmpServiceSources) {
    this.traps = sources.messages$.subscribe((m) => this.onMessage(m));
  }

  /** Where keepalived sends its notify scripts, it sends its traps: an instance's and a sync group's new state. */
  private onMessage(m: BusMessage): void {
    if (m.kind === 'transition') {
      if (m.from === 'INIT' && !this.upSince.has(m.instance)) this.upSince.set(m.instance, Math.round(m.at / 10));
      return;
    }
    if (m.kind === 'notify' && m.masterReason !== undefined) this.masterReason.set(m.instance, m.masterReason);
    // keepalived vrrp.c: a TTL, version or checksum error is kept as the instance's proto_err_reason and told.
    const protoError = m.kind === 'drop' && m.instance !== undefined && PROTO_ERROR[m.reason] !== undefined ? { instance: m.instance, reason: m.reason } : undefined;
    if (protoError !== undefined) this.protoError.set(protoError.instance, protoError.reason);
    if (this.early !== undefined) {
      const told = m.kind === 'notify' || m.kind === 'sync' || m.kind === 'real_server' || m.kind === 'quorum' || protoError !== undefined;
      if (told && this.early.length < 256) this.early.push(m);
      return;
    }
    const config = this.sources.config();
    if (this.agent === undefined || config === undefined || config.globalDefs.enableTraps !== true) return;
    const traps: (Trap | undefined)[] = [];
    if (trapsEnabled(config)) {
      if (m.kind === 'notify') traps.push(instanceStateTrap(config, this.sources.hostname, m.instance, m.state));
      else if (m.kind === 'sync') traps.push(syncGroupStateTrap(config, this.sources.hostname, m.group, m.to));
    }
    // The checker's: realServerStateChange, virtualServerQuorumStateChange (check-traps.ts).
    if ((m.kind === 'real_server' || m.kind === 'quorum') && checkTrapsEnabled(config)) traps.push(checkerTrap(config, this.sources.hostname, m));
    // RFC 2787 vrrpTrapNewMaster, after keepalived's own (vrrp_notify.c send_instance_notifies).
    const mibs = snmpMibs(config);
    const rfc = rfcSources(config, this.sources, this.history);
    if (m.kind === 'notify' && m.state === 'MASTER' && mibs.rfcv2) traps.push(newMasterTrap(rfc, m.instance));
    // RFC 6527 vrrpv3NewMaster, after RFC 2787's.
    if (m.kind === 'notify' && m.state === 'MASTER' && mibs.rfcv3) traps.push(v3NewMasterTrap(rfc, m.instance, this.masterReason.get(m.instance) ?? 'notMaster'));
    if (protoError !== undefined && mibs.rfcv3) traps.push(v3ProtoErrorTrap(rfc, protoError.instance, protoError.reason));
    for (const trap of traps) if (trap !== undefined) this.agent.notify(trap.oid, trap.varbinds);
  }

  /** Starts, restarts or stops the subagent to match the running configuration. */
  apply(): void {
    const config = this.sources.config();
    if (config === undefined) return;
    const settings = JSON.stringify([snmpMibs(config), config.globalDefs.snmpSocket ?? null]);
    if (settings === this.settings) return;
    this.settings = settings;
    this.agent?.stop();
    try {
      this.agent = snmpAgentFor(config, this.sources, this.history);
    } catch (err) {
      this.agent = undefined;
      this.sources.log.warn(`SNMP: ${err instanceof Error ? err.message : String(err)}; SNMP is off`);
    }
    this.agent?.start();
    const early = this.early ?? [];
    this.early = undefined;
    for (const m of early) this.onMessage(m);
  }

  /**
   * PrintStatsClear: keepalived zeroes each instance's vrrp_stats, its master_reason and proto_err_reason among them
   * (vrrpv3StatisticsNewMasterReason and …ProtoErrReason read 0 after). The counters are the instances'
   * (actors/vrrp/instance-counters.ts clearCounters). keepalived's uptime is zeroed too, which makes its up times
   * nonsense; vigil keeps them.
   */
  clearStats(): void {
    this.masterReason.clear();
    this.protoError.clear();
  }

  stop(): void {
    this.traps.unsubscribe();
    this.agent?.stop();
    this.agent = undefined;
  }
}
