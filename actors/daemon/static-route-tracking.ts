/**
 * keepalived's tracking of static routes and rules (keepalived_netlink.c reinstate_static_route /
 * reinstate_static_rule, vrrp_static_track.c static_track_group_reinstate_config): a tracked one (no `no_track`;
 * for a route, one with a `dev`) that the kernel deletes is put back at once, and a tracked route is put back
 * when its interface comes up again (the kernel drops IPv4 routes through an interface that goes down).
 *
 * keepalived watches the kernel's routes only when something asks for it (a tracked virtual route, a static one
 * with a track_group), so without those its static routes stay deleted; vigil always watches, as its manual page
 * describes `no_track` ("will not be reinstated").
 */
import { isRouteOf, isRuleOf } from '../../transport/routes.js';
import type { KeepalivedConfig } from '../vrrp/specs-from-config.js';
import { routeSpecs, ruleSpecs } from '../vrrp/specs-from-config.js';
import type { DaemonEnvironment } from '../environment.js';

/** Starts watching; the function returned stops it (before vigil removes the static routes itself). */
export function trackStaticRoutes(env: DaemonEnvironment, config: KeepalivedConfig): (() => void) | undefined {
  const { routes, addresses, log } = env;
  const tracked = { routes: routeSpecs(config.staticRoutes).filter((r) => r.tracked), rules: ruleSpecs(config.staticRules).filter((r) => r.tracked) };
  if (!routes || (tracked.routes.length === 0 && tracked.rules.length === 0)) return undefined;
  const restoreRoute = (r: (typeof tracked.routes)[number], why: string): void => {
    const name = `${r.destination.address}/${r.destination.prefix}`;
    log.info(`static_routes ${name}: ${why} - restoring it`);
    routes.addRoute(r).catch((err: unknown) => log.warn(`static_routes ${name}: ${String(err)}`));
  };
  const deletions = routes.deletions$?.subscribe((deletion) => {
    if (deletion.kind === 'route') {
      for (const r of tracked.routes) if (isRouteOf(r, deletion.route)) restoreRoute(r, 'deleted');
      return;
    }
    for (const r of tracked.rules.filter((spec) => isRuleOf(spec, deletion.rule))) {
      log.info(`static_rules: the rule with preference ${r.priority} was deleted - restoring it`);
      routes.addRule(r).catch((err: unknown) => log.warn(`static_rules: ${String(err)}`));
    }
  });
  const links = addresses.linkEvents$.subscribe((event) => {
    if (!event.up) return;
    for (const r of tracked.routes) if (r.dev === event.interface) restoreRoute(r, `${event.interface} is up`);
  });
  return () => {
    deletions?.unsubscribe();
    links.unsubscribe();
  };
}
