/**
 * Routes and policy rules (keepalived `virtual_routes`, `virtual_rules`, `static_routes`, `static_rules`): the
 * contract. A spec is the kernel's view with every name already resolved by the configuration
 * (protocol/rtnetlink-routes.ts); only interfaces are names, looked up on the host. Adding what exists and
 * removing what is absent are not errors. A removal matches the spec's protocol, so it never takes a route or
 * rule that someone else added for the same destination.
 */
export type { NexthopSpec, RouteEncap, RouteSpec, RuleSpec } from '../protocol/rtnetlink-routes.js';
import type { RouteSpec, RuleSpec } from '../protocol/rtnetlink-routes.js';

export interface RouteManager {
  addRoute(spec: RouteSpec): Promise<void>;
  removeRoute(spec: RouteSpec): Promise<void>;
  addRule(spec: RuleSpec): Promise<void>;
  removeRule(spec: RuleSpec): Promise<void>;
}
