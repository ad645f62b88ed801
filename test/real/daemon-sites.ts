/**
 * The site set-up the SNMP and DBus namespace tests share: the tools a test needs, a differential's two sites
 * (keepalived 2.2.7 and vigil, each set up alike on a LAN of its own, both LANs removed whatever happens) and the
 * keepalived.conf text their configurations are written from.
 */
import { commandAvailable, createLan, type Lan, type NetnsAvailability } from '../netns/harness.js';

export type DaemonKind = 'vigil' | 'keepalived';

/** For requireNetns: ok when every command is installed, else the first missing one's reason. */
export function commandsAvailable(...commands: readonly string[]): () => NetnsAvailability {
  return () => commands.map(commandAvailable).find((r) => !r.ok) ?? { ok: true };
}

/** A test LAN: hosts numbered from `v4Start` in 192.168.77.0/24, and in fd77::/64 too with `v6`. */
export interface LanPlan {
  /** Letters and digits; a differential's LANs are this name with `k` (keepalived) and `v` (vigil) added. */
  readonly name: string;
  readonly hosts: readonly string[];
  readonly v4Start: number;
  readonly v6?: boolean;
}

export function testLan(plan: LanPlan): Promise<Lan> {
  const v6 = plan.v6 === true ? { v6Prefix: 'fd77::X', v6PrefixLength: 64 } : {};
  return createLan({ name: plan.name, hosts: plan.hosts, v4Prefix: '192.168.77.X', v4Start: plan.v4Start, v4PrefixLength: 24, ...v6 });
}

/** A site as `setUp` made it, with its LAN and the daemon it runs. */
export type Site<S> = S & { readonly lan: Lan; readonly kind: DaemonKind };

/**
 * The differential: keepalived's site and vigil's, each a LAN of `plan` that `setUp` puts its daemons (of that
 * kind) on, given to `body` as [keepalived, vigil]. Both are set up before either is given up on, so that every LAN
 * made is removed after, also when a set-up or the body fails.
 */
export async function sideBySide<S extends object>(
  plan: LanPlan,
  setUp: (lan: Lan, kind: DaemonKind) => Promise<S>,
  body: (sites: readonly [Site<S>, Site<S>]) => Promise<void>,
): Promise<void> {
  const lans: Lan[] = [];
  const made = await Promise.allSettled(
    (['keepalived', 'vigil'] as const).map(async (kind): Promise<Site<S>> => {
      const lan = await testLan({ ...plan, name: `${plan.name}${kind === 'keepalived' ? 'k' : 'v'}` });
      lans.push(lan);
      return { ...(await setUp(lan, kind)), lan, kind };
    }),
  );
  try {
    const [k, v] = made;
    if (k?.status !== 'fulfilled') throw k?.reason;
    if (v?.status !== 'fulfilled') throw v?.reason;
    await body([k.value, v.value]);
  } finally {
    await Promise.all(lans.map((lan) => lan.cleanup()));
  }
}

/** A keepalived.conf block: `head {`, each line of `body` two spaces further in (nested blocks too), `}`. */
export function block(head: string, body: readonly string[]): string {
  const inner = body.flatMap((entry) => entry.replace(/\n$/, '').split('\n')).map((line) => `  ${line}`);
  return `${head} {\n${inner.join('\n')}\n}\n`;
}

export interface InstanceText {
  readonly state: 'MASTER' | 'BACKUP';
  readonly vrid: number;
  readonly priority: number;
  readonly vips: readonly string[];
  /** Lines after priority (version, advert_int, …), before virtual_ipaddress. */
  readonly lines?: readonly string[];
  /** Lines after virtual_ipaddress. */
  readonly after?: readonly string[];
}

/** A vrrp_instance on eth0. */
export function vrrpInstance(name: string, o: InstanceText): string {
  return block(`vrrp_instance ${name}`, [
    `state ${o.state}`,
    'interface eth0',
    `virtual_router_id ${o.vrid}`,
    `priority ${o.priority}`,
    ...(o.lines ?? []),
    block('virtual_ipaddress', o.vips),
    ...(o.after ?? []),
  ]);
}
