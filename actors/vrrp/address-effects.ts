/**
 * What holding an instance's addresses does to the host. On becoming master: virtual_ipaddress and
 * virtual_ipaddress_excluded through the address manager, then virtual_routes, then virtual_rules (keepalived
 * vrrp_state_become_master); on leaving MASTER the reverse: rules, routes, then the addresses. Requests run in the
 * background; a failure is a warning on the bus, never an exception; `settled` resolves when every request made so
 * far is done.
 */
import type { Clock } from '../../machines/clock.js';
import type { AddressManager } from '../../transport/address-manager.js';
import type { RouteManager } from '../../transport/routes.js';
import type { Bus } from '../bus.js';
import type { VrrpInstanceSpec } from './instance-spec.js';

export interface AddressEffectsEnvironment {
  readonly node: string;
  readonly clock: Clock;
  readonly bus: Bus;
  readonly addresses: AddressManager;
  /** virtual_routes / virtual_rules; absent where the host has none (the simulator). */
  readonly routes?: RouteManager | undefined;
}

export class AddressEffects {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly spec: VrrpInstanceSpec,
    private readonly env: AddressEffectsEnvironment,
  ) {}

  /** Adds the addresses, then the routes and rules. */
  add(): void {
    this.changeAddresses('add');
    this.changeRoutes('add');
  }

  /** Removes the rules and routes, then the addresses. */
  remove(): void {
    this.changeRoutes('del');
    this.changeAddresses('del');
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

  private changeAddresses(action: 'add' | 'del'): void {
    const env = this.env;
    for (const address of this.spec.virtualAddresses) {
      const request = action === 'add' ? env.addresses.addAddress(address) : env.addresses.removeAddress(address);
      this.track(request, (err) => `cannot ${action} ${address.address}/${address.prefix} on ${address.interface}: ${String(err)}`);
      env.bus.publish({ kind: 'vip', at: env.clock.now(), node: env.node, instance: this.spec.name, address: address.address, action });
    }
  }

  /** virtual_routes and virtual_rules follow the VIPs: routes after the addresses, rules after the routes. */
  private changeRoutes(action: 'add' | 'del'): void {
    const routes = this.env.routes;
    const { virtualRoutes, virtualRules } = this.spec;
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
