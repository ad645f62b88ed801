/**
 * Tracked routes and rules in the VRRP runtime (keepalived's TRACK_ROUTE / TRACK_RULE / TRACK_SROUTE / TRACK_SRULE
 * and its route / rule deletion filters): the interfaces an instance tracks because of them, and an instance
 * leaving MASTER when the kernel deletes one of its tracked routes or rules. On a real daemon against the kernel:
 * test/daemon/routes.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Subject } from 'rxjs';
import { Bus, type BusMessage } from '../../actors/bus.js';
import { instanceSpec } from '../../actors/vrrp/specs-from-config.js';
import { followRouteDeletions } from '../../actors/vrrp/tracked-routes.js';
import type { VrrpInstanceRunner } from '../../actors/vrrp/vrrp-instance-runner.js';
import { parseRouteNotice, parseRuleNotice } from '../../protocol/rtnetlink-notices.js';
import { routeRequest, ruleRequest } from '../../protocol/rtnetlink-routes.js';
import type { KernelDeletion, RouteManager, RouteSpec, RuleSpec } from '../../transport/routes.js';
import { parse } from '../config/helpers.js';

const CONFIG = `
track_group TG {
  group {
    VI_1
  }
}
static_routes {
  10.50.0.0/16 dev eth5 track_group TG
  10.51.0.0/16 dev eth7
}
static_rules {
  from 10.52.0.0/16 iif eth6 table 5 priority 5 track_group TG
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 100
  virtual_ipaddress {
    192.0.2.1
  }
  track_interface {
    eth1 weight -10
  }
  virtual_routes {
    10.9.0.0/16 dev eth1
    10.10.0.0/16 dev eth2 no_track
    blackhole 10.11.0.0/16
  }
  virtual_rules {
    from 10.12.0.0/16 iif eth3 oif eth4 table 5 priority 10
    from 10.13.0.0/16 iif eth8 table 5 priority 11 no_track
  }
}
`;

test("the interfaces of tracked routes and rules, and of static ones whose track_group names the instance, are tracked with weight 0", () => {
  const config = parse(CONFIG).config;
  const interfaces = instanceSpec(config.vrrpInstances[0]!, config)
    .trackers.filter((t) => t.id.startsWith('interface:'))
    .map((t) => [t.id, t.weight]);
  // eth1: track_interface gave -10, the tracked route makes it 0 (keepalived's add_vrrp_to_interface).
  assert.deepEqual(interfaces, [
    ['interface:eth1', 0],
    ['interface:eth3', 0],
    ['interface:eth4', 0],
    ['interface:eth5', 0],
    ['interface:eth6', 0],
  ]);
});

/** A runner as followRouteDeletions sees it: its state, its spec, and what it was told. */
function runner(name: string, state: string, spec: { readonly virtualRoutes: readonly RouteSpec[]; readonly virtualRules: readonly RuleSpec[] }): VrrpInstanceRunner & { told: string[] } {
  const told: string[] = [];
  return { state, spec: { name, ...spec }, sync: (s: string) => told.push(s), told } as unknown as VrrpInstanceRunner & { told: string[] };
}

test('a deleted tracked route or rule makes a MASTER instance go BACKUP with a warning; untracked, other or not MASTER: nothing', () => {
  const config = parse(CONFIG).config;
  const spec = instanceSpec(config.vrrpInstances[0]!, config);
  const [tracked, untracked] = spec.virtualRoutes;
  const [trackedRule, untrackedRule] = spec.virtualRules;
  const deletions = new Subject<KernelDeletion>();
  const routes = { deletions$: deletions.asObservable() } as unknown as RouteManager;
  const bus = new Bus();
  const warnings: string[] = [];
  bus.messages$.subscribe((m: BusMessage) => {
    if (m.kind === 'warning') warnings.push(`${m.instance}: ${m.message}`);
  });
  const master = runner('VI_1', 'MASTER', spec);
  const backup = runner('VI_2', 'BACKUP', spec);
  const subscription = followRouteDeletions(routes, { node: 'n', now: () => 0, bus, runners: () => [master, backup] });
  const names = new Map([[1, 'eth1'], [2, 'eth2']]);
  const routeDeleted = (r: RouteSpec): void => deletions.next({ kind: 'route', route: parseRouteNotice(routeRequest('delete', r, (n) => [...names].find(([, v]) => v === n)![0]).payload, (i) => names.get(i))! });
  const ruleDeleted = (r: RuleSpec): void => deletions.next({ kind: 'rule', rule: parseRuleNotice(ruleRequest('delete', r).payload)! });

  routeDeleted(untracked!);
  ruleDeleted(untrackedRule!);
  routeDeleted({ ...tracked!, destination: { address: '10.99.0.0', prefix: 16 } });
  assert.deepEqual([master.told, backup.told, warnings], [[], [], []]);

  routeDeleted(tracked!);
  ruleDeleted(trackedRule!);
  assert.deepEqual(master.told, ['BACKUP', 'BACKUP']);
  assert.deepEqual(backup.told, []);
  assert.deepEqual(warnings, [
    'VI_1: tracked virtual route 10.9.0.0/16 was deleted from the kernel: leaving MASTER (no_track would keep MASTER)',
    'VI_1: tracked virtual rule with preference 10 was deleted from the kernel: leaving MASTER (no_track would keep MASTER)',
  ]);
  subscription?.unsubscribe();
  routeDeleted(tracked!);
  assert.equal(master.told.length, 2, 'no longer followed once unsubscribed');
});
