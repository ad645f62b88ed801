/**
 * What the daemon does to the host around the VRRP instances: the interface check at start and reload, cleanup
 * of VIPs a crashed vigil left behind, static_ipaddress / static_routes / static_rules, and use_vmac interfaces.
 */
import { ConfigLoadError } from '../../config/load.js';
import { routeSpec, ruleSpec, type KeepalivedConfig } from '../vrrp/specs-from-config.js';
import type { VrrpInstanceSpec } from '../vrrp/instance-spec.js';
import type { DaemonEnvironment } from '../environment.js';

export class HostSetup {
  private readonly vmacsCreated = new Set<string>();

  constructor(private readonly env: DaemonEnvironment) {}

  /** keepalived refuses a configuration whose VRRP interface does not exist (keepalived -t exit 4). */
  checkInterfaces(config: KeepalivedConfig): void {
    const list = this.env.interfaces?.();
    if (!list) return;
    const known = new Set(list);
    for (const i of config.vrrpInstances) {
      if (!known.has(i.interface)) throw new ConfigLoadError(`${i.at.file}:${i.at.line}: vrrp_instance ${i.name}: interface ${i.interface} does not exist`);
    }
  }

  /**
   * A vigil that crashed leaves its VIPs behind; keepalived removes configured VIPs at start too. The interface's
   * own primary address is never touched (an address owner's VIP may be its real address).
   */
  async removeLeftovers(instances: readonly VrrpInstanceSpec[]): Promise<void> {
    const { addresses, log } = this.env;
    // All at once: the removals are independent, and the first advertisement waits for them (one round trip to
    // the kernel, not one per VIP).
    const removals: Promise<void>[] = [];
    for (const instance of instances) {
      for (const vip of instance.virtualAddresses) {
        if (addresses.primaryAddress(vip.interface, vip.family) === vip.address) continue;
        removals.push(addresses.removeAddress(vip).catch((err: unknown) => log.debug(`cleanup of ${vip.address}: ${String(err)}`)));
      }
    }
    await Promise.all(removals);
  }

  /** static_ipaddress, static_routes, static_rules: set at start, whatever the VRRP state (keepalived.conf(5)). */
  async applyStatics(config: KeepalivedConfig): Promise<void> {
    const { addresses, routes, log } = this.env;
    for (const a of config.staticIpAddresses) {
      if (!a.dev) continue;
      await addresses
        .addAddress({ address: a.address, prefix: a.prefix, family: a.family, interface: a.dev, scope: a.scope, label: a.label, broadcast: a.broadcast })
        .catch((err: unknown) => log.warn(`static_ipaddress ${a.address}: ${String(err)}`));
    }
    if (!routes) return;
    for (const r of config.staticRoutes) await routes.addRoute(routeSpec(r)).catch((err: unknown) => log.warn(`static_routes ${r.destination}: ${String(err)}`));
    for (const r of config.staticRules) await routes.addRule(ruleSpec(r)).catch((err: unknown) => log.warn(`static_rules: ${String(err)}`));
  }

  async removeStatics(config: KeepalivedConfig): Promise<void> {
    const { addresses, routes } = this.env;
    if (routes) {
      for (const r of config.staticRules) await routes.removeRule(ruleSpec(r)).catch(() => undefined);
      for (const r of config.staticRoutes) await routes.removeRoute(routeSpec(r)).catch(() => undefined);
    }
    for (const a of config.staticIpAddresses) {
      if (!a.dev) continue;
      await addresses.removeAddress({ address: a.address, prefix: a.prefix, family: a.family, interface: a.dev }).catch(() => undefined);
    }
  }

  /**
   * use_vmac interfaces of these instances that this daemon has not made yet. At start a failure is logged and the
   * instance waits in FAULT for its interface. A reload passes `made`: the names made go there, a failure throws,
   * and the caller removes what was made (`removeVmacs`) and keeps the running configuration.
   */
  async createVmacs(instances: readonly VrrpInstanceSpec[], made?: string[]): Promise<void> {
    const { vmacs, log } = this.env;
    for (const i of instances) {
      if (!i.vmac || this.vmacsCreated.has(i.vmac.name)) continue;
      if (!vmacs) {
        log.warn(`(${i.name}) use_vmac: no VMAC support on this host; ${i.vmac.name} not created`);
        continue;
      }
      try {
        await vmacs.create({ parent: i.interface, vrid: i.vrid, family: i.family, name: i.vmac.name });
        this.vmacsCreated.add(i.vmac.name);
        made?.push(i.vmac.name);
        log.info(`(${i.name}) created VMAC interface ${i.vmac.name} on ${i.interface}`);
      } catch (err) {
        const message = `(${i.name}) cannot create VMAC ${i.vmac.name} on ${i.interface}: ${err instanceof Error ? err.message : String(err)}`;
        if (made) throw new Error(message);
        log.error(message);
      }
    }
  }

  /** Deletes these VMAC interfaces (those a failed reload made). */
  async removeVmacs(names: readonly string[]): Promise<void> {
    for (const name of names) {
      if (!this.vmacsCreated.delete(name)) continue;
      await this.env.vmacs?.remove(name).catch((err: unknown) => this.env.log.warn(`cannot remove VMAC ${name}: ${String(err)}`));
    }
  }

  /** VMAC interfaces no instance uses any more are deleted (keepalived removes them on stop). */
  async removeUnusedVmacs(instances: readonly VrrpInstanceSpec[]): Promise<void> {
    const used = new Set(instances.flatMap((i) => (i.vmac ? [i.vmac.name] : [])));
    await this.removeVmacs([...this.vmacsCreated].filter((name) => !used.has(name)));
  }

  /**
   * A VMAC that is gone while its parent interface exists is created again, as keepalived does when the VMAC is
   * deleted or when the interface under it is deleted and comes back, taking its macvlans with it (vrrp_if.c
   * recreate_vmac_thread, update_added_interface). Called on every link event; one pass at a time, and a pass asked
   * for while one runs follows it.
   */
  restoreVmacs(instances: () => readonly VrrpInstanceSpec[]): Promise<void> {
    if (this.restoring) {
      this.restoreAgain = true;
      return this.restoring;
    }
    const run = async (): Promise<void> => {
      do {
        this.restoreAgain = false;
        await this.restoreOnce(instances());
      } while (this.restoreAgain);
    };
    this.restoring = run().finally(() => (this.restoring = undefined));
    return this.restoring;
  }

  private restoring: Promise<void> | undefined;
  private restoreAgain = false;

  private async restoreOnce(instances: readonly VrrpInstanceSpec[]): Promise<void> {
    const { vmacs, log } = this.env;
    const present = this.env.interfaces?.();
    if (!vmacs || !present) return;
    const exists = new Set(present);
    for (const i of instances) {
      if (!i.vmac || exists.has(i.vmac.name) || !exists.has(i.interface)) continue;
      try {
        await vmacs.create({ parent: i.interface, vrid: i.vrid, family: i.family, name: i.vmac.name });
        const again = this.vmacsCreated.has(i.vmac.name);
        this.vmacsCreated.add(i.vmac.name);
        exists.add(i.vmac.name);
        log.info(`(${i.name}) ${again ? 're-created' : 'created'} VMAC interface ${i.vmac.name} on ${i.interface}`);
      } catch (err) {
        log.error(`(${i.name}) cannot create VMAC ${i.vmac.name} on ${i.interface}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** Resolves when no VMAC is being created again. */
  async vmacsSettled(): Promise<void> {
    while (this.restoring) await this.restoring;
  }
}
