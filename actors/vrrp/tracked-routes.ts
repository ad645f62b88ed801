/**
 * keepalived's tracking of virtual routes and rules (keepalived_netlink.c netlink_route_filter /
 * netlink_rule_filter, set_vrrp_backup): when the kernel deletes a tracked route or rule of an instance that is
 * MASTER (someone ran `ip route del`, or its source address went), the instance leaves MASTER, releasing its
 * addresses, routes and rules, and an election follows; `no_track` leaves a deleted one deleted until the instance
 * next becomes MASTER. keepalived also sends priority 0 and takes over again after Skew_Time where no one else
 * does; here the instance goes to BACKUP as a sync group's member would, and the election runs its normal course.
 */
import type { Subscription } from 'rxjs';
import { isRouteOf, isRuleOf, type KernelDeletion, type RouteManager } from '../../transport/routes.js';
import type { Bus } from '../bus.js';
import type { VrrpInstanceRunner } from './vrrp-instance-runner.js';

export interface TrackedRoutesContext {
  readonly node: string;
  readonly now: () => number;
  readonly bus: Bus;
  readonly runners: () => Iterable<VrrpInstanceRunner>;
}

/** The tracked virtual route or rule of the runner's spec that the deletion is about, described, or undefined. */
function deletedOf(runner: VrrpInstanceRunner, deletion: KernelDeletion): string | undefined {
  if (deletion.kind === 'route') {
    const r = runner.spec.virtualRoutes.find((spec) => spec.tracked && isRouteOf(spec, deletion.route));
    return r && `virtual route ${r.destination.address}/${r.destination.prefix}`;
  }
  const r = runner.spec.virtualRules.find((spec) => spec.tracked && isRuleOf(spec, deletion.rule));
  return r && `virtual rule with preference ${r.priority}`;
}

export function followRouteDeletions(routes: RouteManager | undefined, context: TrackedRoutesContext): Subscription | undefined {
  return routes?.deletions$?.subscribe((deletion) => {
    for (const runner of context.runners()) {
      if (runner.state !== 'MASTER') continue;
      const what = deletedOf(runner, deletion);
      if (what === undefined) continue;
      context.bus.publish({
        kind: 'warning',
        at: context.now(),
        node: context.node,
        instance: runner.spec.name,
        message: `tracked ${what} was deleted from the kernel: leaving MASTER (no_track would keep MASTER)`,
      });
      runner.sync('BACKUP');
    }
  });
}
