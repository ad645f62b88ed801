/**
 * Property test over seeds: for several topologies, randomized faults (loss up to 30 %, partitions, crashes and
 * restarts, graceful stops, jitter) are layered on the scenario from each seed, and every invariant must hold
 * (one master per VRID once stable, no VIP held twice beyond Master_Down_Interval, failovers within the bound).
 * VIGIL_PROPERTY_SEEDS raises the count; a failure names the seed, which `vigil sim --explore 1 --seed N` replays.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from '../../sim/scenario.js';
import { exploreRun } from '../../sim/explore.js';

function vrrp(o: { name?: string; vrid?: number; priority?: number; version?: 2 | 3; extra?: string; vips: string; iface?: string }): string {
  return `vrrp_instance ${o.name ?? 'VI_1'} {
    state BACKUP
    interface ${o.iface ?? 'eth0'}
    virtual_router_id ${o.vrid ?? 51}
    priority ${o.priority ?? 100}
    advert_int 1
    version ${o.version ?? 3}
    ${o.extra ?? ''}
    virtual_ipaddress {
      ${o.vips}
    }
  }\n`;
}

function scenario(nodes: [string, string, Record<string, string>][]): string {
  return JSON.stringify({
    duration: '60s',
    network: { latency: '1ms' },
    nodes: Object.fromEntries(nodes.map(([name, config, interfaces]) => [name, { config, interfaces }])),
  });
}

const v4 = (i: number): Record<string, string> => ({ eth0: `192.168.77.${10 + i}/24` });
const TOPOLOGIES: [string, string][] = [
  ['three routers, VRRPv3', scenario([1, 2, 3].map((i) => [`r${i}`, vrrp({ priority: 100 + 10 * i, vips: '192.168.77.100/24' }), v4(i)]))],
  [
    'two routers, VRRPv2 with PASS, two VRIDs in opposite order',
    scenario(
      [1, 2].map((i) => [
        `r${i}`,
        vrrp({ name: 'A', vrid: 1, version: 2, priority: i === 1 ? 150 : 100, extra: 'authentication {\n auth_type PASS\n auth_pass pw\n}', vips: '192.168.77.101/24' }) +
          vrrp({ name: 'B', vrid: 2, version: 2, priority: i === 1 ? 100 : 150, vips: '192.168.77.102/24' }),
        v4(i),
      ]),
    ),
  ],
  [
    'three routers, IPv6',
    scenario([1, 2, 3].map((i) => [`r${i}`, vrrp({ priority: 90 + i, vips: 'fd77::100/64' }), { eth0: `fd77::${i}/64` }])),
  ],
  [
    'two routers, unicast peers',
    scenario(
      [1, 2].map((i) => [
        `r${i}`,
        vrrp({
          priority: 100 + i,
          extra: `unicast_src_ip 192.168.77.${10 + i}\n unicast_peer {\n 192.168.77.${10 + (3 - i)}\n }`,
          vips: '192.168.77.100/24',
        }),
        v4(i),
      ]),
    ),
  ],
  ['three routers, equal priorities (tie broken by address)', scenario([1, 2, 3].map((i) => [`r${i}`, vrrp({ priority: 100, vips: '192.168.77.100/24' }), v4(i)]))],
  ['two routers, nopreempt and preempt_delay', scenario([[`r1`, vrrp({ priority: 200, extra: 'preempt_delay 2', vips: '192.168.77.100/24' }), v4(1)], [`r2`, vrrp({ priority: 100, extra: 'nopreempt', vips: '192.168.77.100/24' }), v4(2)]])],
];

const SEEDS = Number(process.env.VIGIL_PROPERTY_SEEDS ?? 200);

for (const [label, text] of TOPOLOGIES) {
  test(`invariants hold over ${SEEDS} seeds: ${label}`, () => {
    const base = parseScenario(text, `${label}.json`);
    const failures: string[] = [];
    let failovers = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const result = exploreRun(base, seed, undefined);
      for (const inv of result.invariants) {
        if (!inv.ok) failures.push(`seed ${seed}: ${inv.name}: ${inv.detail}`);
        if (inv.name === 'failover_within_bound') failovers += Number(/^(\d+) failovers/.exec(inv.detail)?.[1] ?? 0);
      }
    }
    assert.deepEqual(failures.slice(0, 10), []);
    // The faults must actually exercise failover, or the property says nothing.
    assert.ok(failovers > SEEDS / 10, `only ${failovers} failovers measured`);
  });
}
