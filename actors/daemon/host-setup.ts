/**
 * What the daemon does to the host around the VRRP instances: the interface check at start and reload, cleanup
 * of VIPs, virtual routes and virtual rules a crashed vigil left behind, static_ipaddress / static_routes /
 * static_rules, and use_vmac interfaces.
 */
import { ConfigLoadError } from '../../config/load.js';
import { addressOf, routeSpecs, ruleSpecs, staticAddressInterface, type KeepalivedConfig } from '../vrrp/specs-from-config.js';
import type { VrrpInstanceSpec } from '../vrrp/instance-spec.js';
import type { DaemonEnvironment } from '../environment.js';
import { trackStaticRoutes } from './static-route-tracking.js';
import { trackStaticAddresses } from './static-address-tracking.js';
import type { VirtualInterfaceSpec } from '../vrrp/virtual-interfaces.js';
import { LogLimiter } from '../log-limiter.js';

/**
 * An IPv6 macvlan's link-local address (keepalived set_link_local_address), so that advertisements leave from a
 * non-VIP address with the virtual router MAC: the instance's IPv6 source address on its own VMAC, else the
 * parent's link-local address.
 */
function linkLocalOf(i: VrrpInstanceSpec, v: VirtualInterfaceSpec, parentLinkLocal: string | undefined): { address: string; prefix: number; family: 6 } | undefined {
  if (!v.linkLocal) return undefined;
  const own = v.name === i.vmac?.name && i.unicastSourceAddress?.includes(':') ? i.unicastSourceAddress : undefined;
  const address = own ?? parentLinkLocal;
  return address !== undefined ? { address, prefix: 64, family: 6 } : undefined;
}

function kindName(v: VirtualInterfaceSpec): string {
  return v.kind === 'ipvlan' ? 'ipvlan' : 'VMAC';
}

/** The interfaces an instance needs; a spec made without them (tests) has its VMAC alone. */
function interfacesOf(i: VrrpInstanceSpec): readonly VirtualInterfaceSpec[] {
  if (i.interfaces) return i.interfaces;
  return i.vmac ? [{ kind: i.vmac.kind, name: i.vmac.name, parent: i.interface, family: i.family, ipv6: i.family === 6 }] : [];
}

export class HostSetup {
  private readonly vmacsCreated = new Set<string>();
  /**
   * A VMAC that cannot be made is tried again at every link event: its error is logged once a minute, with how
   * many tries failed meanwhile (keyed by interface and message; a success starts afresh).
   */
  private readonly vmacErrors: LogLimiter;
  /** Stops following the static routes and rules (before vigil removes them itself). */
  private stopStaticWatch: (() => void) | undefined;
  /** Stops putting back deleted static addresses. */
  private stopStaticAddressWatch: (() => void) | undefined;

  constructor(private readonly env: DaemonEnvironment) {
    this.vmacErrors = new LogLimiter(env.clock);
  }

  /**
   * keepalived refuses a configuration whose VRRP interface does not exist (keepalived -t exit 4), unless global_defs
   * dynamic_interfaces: then the instance waits in FAULT for the interface to appear (its channel binds to it then).
   */
  checkInterfaces(config: KeepalivedConfig): void {
    const list = this.env.interfaces?.();
    if (!list) return;
    const known = new Set(list);
    const dynamic = config.globalDefs.dynamicInterfaces !== undefined;
    for (const i of config.vrrpInstances) {
      if (known.has(i.interface)) continue;
      const where = `${i.at.file}:${i.at.line}: vrrp_instance ${i.name}: interface ${i.interface}`;
      if (!dynamic) throw new ConfigLoadError(`${where} does not exist`);
      // keepalived's words (vrrp_if.c): the instance is in FAULT until the interface is created.
      this.env.log.warn(`Configuration specifies interface ${i.interface} which doesn't currently exist - will use if created (${where.split(': interface')[0]})`);
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
    // Without dev, keepalived puts it on global_defs default_interface; the options are those of a VIP.
    for (const a of config.staticIpAddresses) {
      const address = addressOf(a, staticAddressInterface(a, config));
      await addresses.addAddress(address).catch((err: unknown) => log.warn(`static_ipaddress ${a.address}: ${String(err)}`));
    }
    this.stopStaticAddressWatch?.();
    this.stopStaticAddressWatch = trackStaticAddresses(this.env, config);
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
    await this.reloadStaticAddresses(previous, next);
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

  /**
   * Reload: static addresses gone from the configuration, or changed, are removed and the new set added
   * (keepalived's clear_diff_static_addresses, then its adds); deleted ones are put back as the new file says.
   */
  private async reloadStaticAddresses(previous: KeepalivedConfig, next: KeepalivedConfig): Promise<void> {
    const { addresses, log } = this.env;
    this.stopStaticAddressWatch?.();
    const specs = (c: KeepalivedConfig) => c.staticIpAddresses.map((a) => addressOf(a, staticAddressInterface(a, c)));
    const nextSpecs = specs(next);
    const kept = new Set(nextSpecs.map((a) => JSON.stringify(a)));
    for (const a of specs(previous)) if (!kept.has(JSON.stringify(a))) await addresses.removeAddress(a).catch(() => undefined);
    for (const a of nextSpecs) await addresses.addAddress(a).catch((err: unknown) => log.warn(`static_ipaddress ${a.address}: ${String(err)}`));
    this.stopStaticAddressWatch = trackStaticAddresses(this.env, next);
  }

  async removeStatics(config: KeepalivedConfig): Promise<void> {
    const { addresses } = this.env;
    this.stopStaticWatch?.();
    this.stopStaticWatch = undefined;
    this.stopStaticAddressWatch?.();
    this.stopStaticAddressWatch = undefined;
    await this.removeStaticRoutes(config);
    for (const a of config.staticIpAddresses) {
      await addresses.removeAddress(addressOf(a, staticAddressInterface(a, config))).catch(() => undefined);
    }
  }

  /**
   * The macvlan / ipvlan interfaces of the instances (use_vmac, use_vmac_addr, use_ipvlan: VrrpInstanceSpec
   * interfaces) that this daemon has not made yet, each once, with its MAC or ipvlan mode; an ipvlan's own address
   * goes on it at once, as keepalived adds it (an IPv6 one deprecated, without DAD). At start a failure is logged
   * and the instance waits in FAULT for its interface. A reload passes `made`: the names made go there, a failure
   * throws, and the caller removes what was made (`removeVmacs`) and keeps the running configuration.
   */
  async createVmacs(instances: readonly VrrpInstanceSpec[], made?: string[]): Promise<void> {
    const { vmacs, log } = this.env;
    for (const i of instances) {
      for (const v of interfacesOf(i)) {
        if (this.vmacsCreated.has(v.name)) continue;
        if (!vmacs) {
          log.warn(`(${i.name}) ${v.kind === 'ipvlan' ? 'use_ipvlan' : 'use_vmac'}: no VMAC support on this host; ${v.name} not created`);
          continue;
        }
        try {
          await this.createOne(i, v);
          made?.push(v.name);
          log.info(`(${i.name}) created ${kindName(v)} interface ${v.name} on ${v.parent}`);
        } catch (err) {
          const message = `(${i.name}) cannot create ${kindName(v)} ${v.name} on ${v.parent}: ${err instanceof Error ? err.message : String(err)}`;
          if (made) throw new Error(message);
          this.vmacError(v.name, message);
        }
      }
    }
  }

  /** A failure to make a VMAC, logged at most once a minute for the same interface and message. */
  private vmacError(name: string, message: string): void {
    const more = this.vmacErrors.occurred(`${name}\0${message}`);
    if (more !== undefined) this.env.log.error(`${message}${more}`);
  }

  /** Creates one macvlan / ipvlan, and adds its own address (an ipvlan's, an IPv6 macvlan's link-local). */
  private async createOne(i: VrrpInstanceSpec, v: VirtualInterfaceSpec): Promise<void> {
    const { vmacs, log, addresses } = this.env;
    if (!vmacs) return;
    await vmacs.create({ parent: v.parent, vrid: i.vrid, family: v.family, name: v.name, mac: v.mac, kind: v.kind, ipvlanMode: v.ipvlanMode, ipv6: v.ipv6 });
    this.vmacsCreated.add(v.name);
    this.vmacErrors.clearPrefix(`${v.name}\0`);
    // keepalived adds these as it adds a VIP, with no lifetime: an IPv6 one is deprecated, without DAD.
    const own = v.address ?? linkLocalOf(i, v, addresses.primaryAddress(v.parent, 6));
    if (own) {
      const address = { ...own, interface: v.name, ...(own.family === 6 ? { preferredLifetime: 0 } : {}) };
      await addresses.addAddress(address).catch((err: unknown) => log.warn(`(${i.name}) cannot add ${own.address} to ${v.name}: ${String(err)}`));
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
    const used = new Set(instances.flatMap((i) => interfacesOf(i).map((v) => v.name)));
    await this.removeVmacs([...this.vmacsCreated].filter((name) => !used.has(name)));
  }

  /**
   * A VMAC (or ipvlan) that is gone while its parent interface exists is created again, as keepalived does when
   * the VMAC is deleted or when the interface under it is deleted and comes back, taking its macvlans with it
   * (vrrp_if.c recreate_vmac_thread, update_added_interface). Called on every link event; one pass at a time, and
   * a pass asked for while one runs follows it.
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
      for (const v of interfacesOf(i)) {
        if (exists.has(v.name) || !exists.has(v.parent)) continue;
        try {
          const again = this.vmacsCreated.has(v.name);
          await this.createOne(i, v);
          exists.add(v.name);
          log.info(`(${i.name}) ${again ? 're-created' : 'created'} ${kindName(v)} interface ${v.name} on ${v.parent}`);
        } catch (err) {
          this.vmacError(v.name, `(${i.name}) cannot create ${kindName(v)} ${v.name} on ${v.parent}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }
  }

  /** Resolves when no VMAC is being created again. */
  async vmacsSettled(): Promise<void> {
    while (this.restoring) await this.restoring;
  }
}
