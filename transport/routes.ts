/**
 * Routes and policy rules (keepalived `virtual_routes`, `virtual_rules`, `static_routes`, `static_rules`): the
 * contract. Adding what exists and removing what is absent are not errors.
 */
import type { IpFamily } from '../protocol/ip.js';

/** `ip route` in keepalived's syntax: `DST/PREFIX [via GW] [dev IF] [src ADDR] [table N] [metric N] [scope S]`. */
export interface RouteSpec {
  /** Destination network address, or 'default'. */
  readonly destination: string;
  readonly prefix?: number;
  /** Needed with 'default' (IPv4 unless 6); otherwise inferred from the destination. */
  readonly family?: IpFamily;
  readonly gateway?: string;
  readonly interface?: string;
  /** Preferred source address (`src`). */
  readonly source?: string;
  /** Routing table number (default main, 254). */
  readonly table?: number;
  readonly metric?: number;
  readonly scope?: string;
  readonly type?: 'unicast' | 'blackhole' | 'unreachable' | 'prohibit' | 'local';
  readonly protocol?: number;
}

/** `ip rule`: `[from ADDR/PREFIX] [to ADDR/PREFIX] [fwmark N] [iif IF] [oif IF] table N [priority N]`. */
export interface RuleSpec {
  readonly family: IpFamily;
  readonly from?: { readonly address: string; readonly prefix: number };
  readonly to?: { readonly address: string; readonly prefix: number };
  readonly table: number;
  readonly priority?: number;
  readonly fwmark?: number;
  readonly iif?: string;
  readonly oif?: string;
}

export interface RouteManager {
  addRoute(spec: RouteSpec): Promise<void>;
  removeRoute(spec: RouteSpec): Promise<void>;
  addRule(spec: RuleSpec): Promise<void>;
  removeRule(spec: RuleSpec): Promise<void>;
}

/** Named routing tables of iproute2 (/etc/iproute2/rt_tables); anything else must be a number. */
export function routeTableNumber(table: string | undefined): number | undefined {
  if (table === undefined) return undefined;
  const named: Record<string, number> = { main: 254, local: 255, default: 253, unspec: 0 };
  if (table in named) return named[table];
  const n = Number(table);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}
