/**
 * What holding an instance's addresses does to the host. On becoming master: the VIP firewall's drop of their
 * traffic when the instance does not accept it (no_accept, strict VRRPv2), then virtual_ipaddress and
 * virtual_ipaddress_excluded through the address manager, then virtual_routes, then virtual_rules (keepalived
 * vrrp_state_become_master); on leaving MASTER the reverse: rules, routes, the addresses, then the firewall lets
 * their traffic through again. Requests run in the background; a failure is a warning on the bus, never an
 * exception (a firewall that cannot block does not keep the addresses off); `settled` resolves when every request
 * made so far is done.
 */
import type { Clock } from '../../machines/clock.js';
import type { AddressManager } from '../../transport/address-manager.js';
import type { RouteManager } from '../../transport/routes.js';
import type { VipFirewall } from '../../transport/vip-firewall.js';
import type { Bus } from '../bus.js';
import type { VrrpInstanceSpec } from './instance-spec.js';

export interface AddressEffectsEnvironment {
  readonly node: string;
  readonly clock: Clock;
  readonly bus: Bus;
  readonly addresses: AddressManager;
  /** virtual_routes / virtual_rules; absent where the host has none (the simulator). */
  readonly routes?: RouteManager | undefined;
  /** The VIP firewall; absent where the host has none (then nothing is ever dropped). */
  readonly firewall?: VipFirewall | undefined;
}

/** What a master holds on the host: its addresses, routes and rules (an instance's spec has them). */
export type HeldEffects = Pick<VrrpInstanceSpec, 'virtualAddresses' | 'virtualRoutes' | 'virtualRules'>;

/** Whether `list` has an entry equal to `item`, field by field. */
function includes(list: readonly unknown[], item: unknown): boolean {
  const key = JSON.stringify(item);
  return list.some((x) => JSON.stringify(x) === key);
}

export class AddressEffects {
  private readonly pending = new Set<Promise<void>>();
  /** Whether this instance holds a block in the firewall now (a supervisor's restart adds again: one block). */
  private blocking = false;
  /** Whether the firewall sends this instance's VMAC's listener reports on its base interface now. */
  private vmacSet = false;

  constructor(
    private readonly spec: VrrpInstanceSpec,
    private readonly env: AddressEffectsEnvironment,
  ) {}

  /**
   * Blocks the addresses' traffic if the instance does not accept it, adds the addresses, then the routes and rules.
   * `held`: what the host holds already for this instance (its predecessor at a reload was master): only the rest is
   * added (keepalived restore_vrrp_state). True when an address was added.
   */
  add(held?: HeldEffects): boolean {
    const addresses = this.spec.virtualAddresses.filter((a) => !held || !includes(held.virtualAddresses, a));
    this.changeAddresses('add', this.block(), addresses);
    this.changeRoutes('add', held);
    return addresses.length > 0;
  }

  /** Removes the rules and routes, then the addresses; then lets their traffic through. */
  remove(): void {
    this.changeRoutes('del');
    this.unblock(this.changeAddresses('del'));
  }

  /**
   * At a reload that hands this master's addresses to its successor: removes what `kept` (the successor, master)
   * does not hold, then lets this instance's share of the firewall's drop go (the successor holds its own by then:
   * keepalived clear_diff_vrrp_vip). Nothing is kept when there is no successor holding them.
   */
  handOver(kept: HeldEffects | undefined): void {
    this.changeRoutes('del', kept);
    const addresses = this.spec.virtualAddresses.filter((a) => !kept || !includes(kept.virtualAddresses, a));
    this.unblock(this.changeAddresses('del', undefined, addresses));
  }

  /**
   * use_vmac, whatever the accept mode (keepalived firewall_add_vmac): for as long as the instance runs, the
   * firewall sends its VMAC's multicast listener reports on the base interface instead, for the family of each
   * address it holds (virtual_ipaddress_excluded may add the other).
   */
  vmacFirewall(action: 'add' | 'del'): void {
    const { firewall } = this.env;
    const vmac = this.spec.vmac;
    if (!firewall || !vmac || this.vmacSet === (action === 'add')) return;
    this.vmacSet = action === 'add';
    const families = [...new Set([this.spec.family, ...this.spec.virtualAddresses.map((a) => a.family)])].sort();
    for (const family of families) {
      const v = { interface: vmac.name, base: this.spec.interface, family };
      this.track(action === 'add' ? firewall.addVmac(v) : firewall.removeVmac(v), (err) => `cannot ${action} the firewall's rules for ${vmac.name}: ${String(err)}`);
    }
  }

  /** Resolves when every change requested so far has been carried out (or has failed and been logged). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private track(request: Promise<void>, failure: (err: unknown) => string): void {
    const env = this.env;
    const done = request.catch((err: unknown) =>
      env.bus.publish({ kind: 'warning', at: env.clock.now(), node: env.node, instance: this.spec.name, message: failure(err) }),
    );
    this.pending.add(done);
    void done.then(() => this.pending.delete(done));
  }

  /** The address changes, each after `after` (the firewall's block) when given; resolves when all are done. */
  private changeAddresses(action: 'add' | 'del', after?: Promise<void>, addresses = this.spec.virtualAddresses): Promise<unknown> {
    const env = this.env;
    const requests: Promise<void>[] = [];
    for (const address of addresses) {
      const change = (): Promise<void> => (action === 'add' ? env.addresses.addAddress(address) : env.addresses.removeAddress(address));
      const request = after ? after.then(change) : change();
      requests.push(request);
      this.track(request, (err) => `cannot ${action} ${address.address}/${address.prefix} on ${address.interface}: ${String(err)}`);
      env.bus.publish({ kind: 'vip', at: env.clock.now(), node: env.node, instance: this.spec.name, address: address.address, action });
    }
    return Promise.allSettled(requests);
  }

  /** keepalived sets the firewall's drop before the addresses, so no packet reaches them unfiltered. */
  private block(): Promise<void> | undefined {
    const { firewall } = this.env;
    const addresses = this.spec.firewalled;
    if (!firewall || addresses.length === 0 || this.blocking) return undefined;
    this.blocking = true;
    const request = firewall.block(addresses);
    this.track(request, (err) => `cannot drop traffic to the addresses of ${this.spec.name} (no_accept / vrrp_strict): ${String(err)}`);
    // The addresses go on whether or not the firewall could block them: the failure is the warning above.
    return request.catch(() => undefined);
  }

  /** After the addresses are gone, their traffic is let through again (keepalived: after vrrp_handle_ipaddress). */
  private unblock(removed: Promise<unknown>): void {
    const { firewall } = this.env;
    if (!firewall || !this.blocking) return;
    this.blocking = false;
    const addresses = this.spec.firewalled;
    this.track(
      removed.then(() => firewall.unblock(addresses)),
      (err) => `cannot let traffic to the addresses of ${this.spec.name} through again: ${String(err)}`,
    );
  }

  /** virtual_routes and virtual_rules follow the VIPs: routes after the addresses, rules after the routes. */
  /** `except`: routes and rules left as they are (held already, or kept by a successor). */
  private changeRoutes(action: 'add' | 'del', except?: HeldEffects): void {
    const routes = this.env.routes;
    const virtualRoutes = this.spec.virtualRoutes.filter((r) => !except || !includes(except.virtualRoutes, r));
    const virtualRules = this.spec.virtualRules.filter((r) => !except || !includes(except.virtualRules, r));
    if (!routes || (virtualRoutes.length === 0 && virtualRules.length === 0)) return;
    const run = async (): Promise<void> => {
      if (action === 'add') {
        for (const r of virtualRoutes) await routes.addRoute(r);
        for (const r of virtualRules) await routes.addRule(r);
      } else {
        for (const r of virtualRules) await routes.removeRule(r);
        for (const r of virtualRoutes) await routes.removeRoute(r);
      }
    };
    this.track(run(), (err) => `cannot ${action} virtual routes/rules: ${String(err)}`);
  }
}
