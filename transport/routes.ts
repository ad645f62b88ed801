/**
 * Routes and policy rules (keepalived `virtual_routes`, `virtual_rules`, `static_routes`, `static_rules`): the
 * contract. A spec is the kernel's view with every name already resolved by the configuration
 * (protocol/rtnetlink-routes.ts); only interfaces are names, looked up on the host. Adding what exists and
 * removing what is absent are not errors. A removal matches the spec's protocol, so it never takes a route or
 * rule that someone else added for the same destination.
 */
import type { Observable } from 'rxjs';
import type { RouteNotice, RuleNotice } from '../protocol/rtnetlink-notices.js';
import type { RouteSpec, RuleSpec } from '../protocol/rtnetlink-routes.js';

export type { NexthopSpec, RouteEncap, RouteSpec, RuleSpec } from '../protocol/rtnetlink-routes.js';
export { isRouteOf, isRuleOf, type RouteNotice, type RuleNotice } from '../protocol/rtnetlink-notices.js';

/** A route or rule the kernel deleted (whoever asked it to). */
export type KernelDeletion = { readonly kind: 'route'; readonly route: RouteNotice } | { readonly kind: 'rule'; readonly rule: RuleNotice };

export interface RouteManager {
  addRoute(spec: RouteSpec): Promise<void>;
  removeRoute(spec: RouteSpec): Promise<void>;
  addRule(spec: RuleSpec): Promise<void>;
  removeRule(spec: RuleSpec): Promise<void>;
  /**
   * Every route and rule deletion in the kernel, from the moment of subscribing: what keepalived watches to
   * follow its tracked routes and rules. Absent where deletions cannot be seen.
   */
  readonly deletions$?: Observable<KernelDeletion>;
}
