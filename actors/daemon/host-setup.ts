/**
 * What the daemon does to the host around the VRRP instances: the interface check at start and reload, cleanup
 * of VIPs, virtual routes and virtual rules a crashed vigil left behind, static_ipaddress / static_routes /
 * static_rules, and use_vmac interfaces.
 */
import { ConfigLoadError } from '../../config/load.js';
import { routeSpecs, ruleSpecs, type KeepalivedConfig } from '../vrrp/specs-from-config.js';
import type { VrrpInstanceSpec } from '../vrrp/instance-spec.js';
import type { DaemonEnvironment } from '../environment.js';
import { trackStaticRoutes } from './static-route-tracking.js';

export class HostSetup {
  private readonly vmacsCreated = new Set<string>();
  /** Stops following the static routes and rules (before vigil removes them itself). */
  private stopStaticWatch: (() => void) | undefined;

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
   * A vigil that crashed leaves its VIPs, virtual routes and virtual rules behind; keepalived removes the
   * configured ones at start too (vrrp_restore_interfaces_startup). The interface's own primary address is never
   * touched (an address owner's VIP may be its real address). A route or rule is removed only with the protocol
   * it was added with (keepalived's, 18, unless `no_track` named another), so one someone else added for the same
   * destination stays.
   */
  async removeLeftovers(instances: readonly VrrpInstanceSpec[]): Promise<void> {
    const { addresses, routes, log } = this.env;
    // All at once: the removals are independent, and the first advertisement waits for them (one round trip to
    // the kernel, not one per VIP). Rules and routes go first, as when an instance leaves MASTER.
    const removals: Promise<void>[] = [];
    if (routes) {
      for (const instance of instances) {
        for (const r of instance.virtualRules) removals.push(routes.removeRule(r).catch((err: unknown) => log.debug(`cleanup of a rule of ${instance.name}: ${String(err)}`)));
        for (const r of instance.virtualRoutes) {
          removals.push(routes.removeRoute(r).catch((err: unknown) => log.debug(`cleanup of route ${r.destination.address}/${r.destination.prefix}: ${String(err)}`)));
        }
      }
      await Promise.all(removals.splice(0));
    }
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
    // keepalived clears leftover static routes and rules first, then adds them (vrrp_daemon.c start_vrrp).
    await this.removeStaticRoutes(config);
    for (const r of routeSpecs(config.staticRoutes)) {
      await routes.addRoute(r).catch((err: unknown) => log.warn(`static_routes ${r.destination.address}/${r.destination.prefix}: ${String(err)}`));
    }
    for (const r of ruleSpecs(config.staticRules)) await routes.addRule(r).catch((err: unknown) => log.warn(`static_rules: ${String(err)}`));
    this.stopStaticWatch?.();
    this.stopStaticWatch = trackStaticRoutes(this.env, config);
  }

  private async removeStaticRoutes(config: KeepalivedConfig): Promise<void> {
    const { routes } = this.env;
    if (!routes) return;
    for (const r of ruleSpecs(config.staticRules)) await routes.removeRule(r).catch(() => undefined);
    for (const r of routeSpecs(config.staticRoutes)) await routes.removeRoute(r).catch(() => undefined);
  }

  /**
   * Reload: static routes and rules gone from the configuration are removed, new ones added, and the tracking
   * follows the new set (keepalived's clear_diff_static_routes / clear_diff_static_rules, then its adds).
   */
  async reloadStaticRoutes(previous: KeepalivedConfig, next: KeepalivedConfig): Promise<void> {
    const { routes, log } = this.env;
    if (!routes) return;
    this.stopStaticWatch?.();
    const kept = (list: readonly unknown[]): Set<string> => new Set(list.map((x) => JSON.stringify(x)));
    const nextRoutes = routeSpecs(next.staticRoutes);
    const nextRules = ruleSpecs(next.staticRules);
    const keptRoutes = kept(nextRoutes);
    const keptRules = kept(nextRules);
    for (const r of ruleSpecs(previous.staticRules)) if (!keptRules.has(JSON.stringify(r))) await routes.removeRule(r).catch(() => undefined);
    for (const r of routeSpecs(previous.staticRoutes)) if (!keptRoutes.has(JSON.stringify(r))) await routes.removeRoute(r).catch(() => undefined);
    for (const r of nextRoutes) {
      await routes.addRoute(r).catch((err: unknown) => log.warn(`static_routes ${r.destination.address}/${r.destination.prefix}: ${String(err)}`));
    }
    for (const r of nextRules) await routes.addRule(r).catch((err: unknown) => log.warn(`static_rules: ${String(err)}`));
    this.stopStaticWatch = trackStaticRoutes(this.env, next);
  }

  async removeStatics(config: KeepalivedConfig): Promise<void> {
    const { addresses } = this.env;
    this.stopStaticWatch?.();
    this.stopStaticWatch = undefined;
    await this.removeStaticRoutes(config);
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
