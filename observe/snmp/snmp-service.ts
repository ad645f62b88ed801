/**
 * The SNMP side of `vigil run`: the subagent the running configuration asks for, made again when a reload changes
 * what it asks for (enabled or not, snmp_socket), as keepalived re-reads them on reload.
 */
import type { Observable, Subscription } from 'rxjs';
import type { BusMessage } from '../../actors/bus.js';
import type { Subagent } from '../../transport/agentx-subagent.js';
import { rfcSources, snmpAgentFor, snmpMibs, type SnmpAgentSources } from './snmp-agent.js';
import { newMasterTrap } from './vrrp-mib.js';
import { instanceStateTrap, syncGroupStateTrap, trapsEnabled, type Trap } from './keepalived-traps.js';

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
    if (this.early !== undefined) {
      if ((m.kind === 'notify' || m.kind === 'sync') && this.early.length < 256) this.early.push(m);
      return;
    }
    const config = this.sources.config();
    if (this.agent === undefined || config === undefined || config.globalDefs.enableTraps !== true) return;
    const traps: (Trap | undefined)[] = [];
    if (trapsEnabled(config)) {
      if (m.kind === 'notify') traps.push(instanceStateTrap(config, this.sources.hostname, m.instance, m.state));
      else if (m.kind === 'sync') traps.push(syncGroupStateTrap(config, this.sources.hostname, m.group, m.to));
    }
    // RFC 2787 vrrpTrapNewMaster, after keepalived's own (vrrp_notify.c send_instance_notifies).
    if (m.kind === 'notify' && m.state === 'MASTER' && snmpMibs(config).rfcv2) traps.push(newMasterTrap(rfcSources(config, this.sources, (i) => this.upSince.get(i)), m.instance));
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
      this.agent = snmpAgentFor(config, this.sources, (i) => this.upSince.get(i));
    } catch (err) {
      this.agent = undefined;
      this.sources.log.warn(`SNMP: ${err instanceof Error ? err.message : String(err)}; SNMP is off`);
    }
    this.agent?.start();
    const early = this.early ?? [];
    this.early = undefined;
    for (const m of early) this.onMessage(m);
  }

  stop(): void {
    this.traps.unsubscribe();
    this.agent?.stop();
    this.agent = undefined;
  }
}
