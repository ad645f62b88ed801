/**
 * The VIP firewall on real daemons in namespaces.
 *
 * - Differential with Debian's keepalived 2.2.7: the same configuration, each daemon alone in a namespace of its
 *   own (so every instance becomes master), and the nftables table each makes compared whole, modulo its name
 *   (sets with their elements, chains with hook and priority, rules): for every combination of strict mode ×
 *   accept / no_accept / neither × owner or not × IPv4 VRRPv2 / IPv4 VRRPv3 / IPv6, one instance each; then
 *   global_defs nftables NAME, nftables_priority, nftables_counters, nftables_ifindex, dont_track_primary's
 *   link-local matching by name, vrrp_iptables, and use_vmac's rules. A stop removes both tables.
 * - Against the kernel: a peer's ping to a no_accept VIP gets no answer, to an accept or owner VIP it does; a
 *   SIGKILLed vigil leaves its table, and the next start replaces it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { commandAvailable, createLan, type Lan, type LanHost } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { droppedBy, tableView, type TableView } from '../real/nft-ruleset.js';
import { addressesIn, cleanupDir, eventually, startDaemon, type Daemon } from './daemons.js';

const PROBE_CLI = fileURLToPath(new URL('../contract/probe-cli.js', import.meta.url));

interface Cell {
  readonly strict: boolean;
  readonly accept: '' | 'accept' | 'no_accept';
  readonly owner: boolean;
  readonly family: 4 | 6;
  readonly version: 2 | 3;
}

const CELLS: readonly Cell[] = [false, true].flatMap((strict) =>
  (['', 'accept', 'no_accept'] as const).flatMap((accept) =>
    [false, true].flatMap((owner) =>
      ([
        [4, 2],
        [4, 3],
        [6, 3],
      ] as const).map(([family, version]) => ({ strict, accept, owner, family, version })),
    ),
  ),
);

/** The VIPs of the instance with this VRID: IPv6 ones start with a link-local address, as strict mode wants. */
function vipsOf(cell: Cell, vrid: number): string[] {
  return cell.family === 4 ? [`192.168.77.${100 + vrid}/24`] : [`fe80::77:${vrid}/64`, `fd77::${vrid}:1/64`];
}

function instanceText(cell: Cell, vrid: number, extra = ''): string {
  return `vrrp_instance C${vrid} {
  state ${cell.owner ? 'MASTER' : 'BACKUP'}
  interface eth0
  virtual_router_id ${vrid}
  priority ${cell.owner ? 255 : 100}
  advert_int 1
  version ${cell.version}
  ${cell.strict ? 'strict_mode' : ''}
  ${cell.accept}
  ${extra}
  virtual_ipaddress {
${vipsOf(cell, vrid).map((v) => `    ${v}\n`).join('')}  }
}
`;
}

/** keepalived 2.2.7's outcome, measured: the owner always accepts; strict mode refuses accept with VRRPv2. */
function dropsTraffic(cell: Cell): boolean {
  if (cell.owner) return false;
  return cell.accept === 'no_accept' || (cell.strict && (cell.accept === '' || cell.version === 2));
}

/** The addresses on every interface of a namespace (VIPs on a VMAC too). */
async function allAddressesIn(lan: Lan, host: LanHost): Promise<string[]> {
  const { stdout } = await lan.exec(host.ns, ['ip', '-j', 'addr', 'show']);
  return (JSON.parse(stdout) as { addr_info: { local: string }[] }[]).flatMap((l) => l.addr_info.map((a) => a.local));
}

async function ruleset(lan: Lan, host: LanHost): Promise<string> {
  return (await lan.exec(host.ns, ['nft', '-j', 'list', 'ruleset'])).stdout;
}

/** Runs keepalived and vigil on the same configuration, each alone; returns both tables once every VIP is up. */
async function bothTables(config: string, vips: readonly string[], tables: { keepalived: string; vigil: string }): Promise<{ keepalived: TableView; vigil: TableView }> {
  const lan = await createLan({ name: 'vipfwka', hosts: ['ka'], v4Prefix: '192.168.77.X' });
  const lan2 = await createLan({ name: 'vipfwvg', hosts: ['vg'], v4Prefix: '192.168.77.X' });
  const ka = lan.host('ka');
  const vg = lan2.host('vg');
  const daemons: Daemon[] = [];
  try {
    daemons.push(startDaemon(lan, ka, 'keepalived', config), startDaemon(lan2, vg, 'vigil', config));
    const wanted = vips.map((v) => v.split('/')[0]!);
    const allUp = (l: Lan, h: LanHost) => async () => {
      const held = await allAddressesIn(l, h);
      return wanted.every((v) => held.includes(v));
    };
    const describe = () => daemons.map((d) => `${d.kind}:\n${d.log().slice(-2000)}`).join('\n');
    await eventually(allUp(lan, ka), 20_000, describe);
    await eventually(allUp(lan2, vg), 20_000, describe);
    const views = { keepalived: tableView(await ruleset(lan, ka), tables.keepalived), vigil: tableView(await ruleset(lan2, vg), tables.vigil) };
    // keepalived stops on its parent's SIGTERM (the VRRP child's alone would be restarted).
    for (const d of daemons) process.kill(d.proc.pid!, 'SIGTERM');
    await Promise.all(daemons.map((d) => d.exited(15_000)));
    // A stop removes the table, in keepalived as in vigil.
    assert.deepEqual(tableView(await ruleset(lan, ka), tables.keepalived).families, [], 'keepalived removes its table at stop');
    assert.deepEqual(tableView(await ruleset(lan2, vg), tables.vigil).families, [], 'vigil removes its table at stop');
    return views;
  } finally {
    for (const d of daemons) {
      if (d.proc.exitCode === null && d.proc.signalCode === null) d.kill('SIGKILL');
      cleanupDir(d);
    }
    await lan.cleanup();
    await lan2.cleanup();
  }
}

test('differential with keepalived 2.2.7: vrrp_strict × accept / no_accept × owner × IPv4 v2, v3 and IPv6 make the same table', { timeout: 120_000 }, async (t) => {
  if (!requireRealNetwork(t, () => commandAvailable('keepalived'), () => commandAvailable('nft'))) return;
  const config = CELLS.map((c, i) => instanceText(c, i + 1)).join('');
  const vips = CELLS.flatMap((c, i) => vipsOf(c, i + 1));
  const views = await bothTables(config, vips, { keepalived: 'keepalived', vigil: 'vigil_vrrp' });
  assert.deepEqual(views.vigil, views.keepalived);
  // What both drop is each cell's measured outcome: the comparison above is not two empty tables.
  const expected = CELLS.flatMap((c, i) =>
    dropsTraffic(c) ? vipsOf(c, i + 1).map((v) => v.split('/')[0]!).map((a) => (a.startsWith('fe80') ? `${a}%eth0` : a)) : [],
  ).sort();
  assert.deepEqual(droppedBy(views.keepalived), expected);
  assert.deepEqual(views.vigil.families, ['ip', 'ip6']);
});

test('differential with keepalived 2.2.7: nftables NAME, nftables_priority, nftables_counters, and link-local matching by name', { timeout: 120_000 }, async (t) => {
  if (!requireRealNetwork(t, () => commandAvailable('keepalived'), () => commandAvailable('nft'))) return;
  const noAccept4: Cell = { strict: false, accept: 'no_accept', owner: false, family: 4, version: 2 };
  const noAccept6: Cell = { ...noAccept4, family: 6, version: 3 };
  const config = 'global_defs {\n  nftables vipfw\n  nftables_priority -5\n  nftables_counters\n}\n' + instanceText(noAccept4, 1) + instanceText(noAccept6, 2, 'dont_track_primary');
  const views = await bothTables(config, [...vipsOf(noAccept4, 1), ...vipsOf(noAccept6, 2)], { keepalived: 'vipfw', vigil: 'vipfw' });
  assert.deepEqual(views.vigil, views.keepalived);
  assert.deepEqual(Object.keys(views.vigil.sets).sort(), ['ip vips', 'ip6 neighbor-discovery', 'ip6 vips', 'ip6 vips_link_local_name']);
  assert.equal(views.vigil.chains['ip in']?.prio, -5);
  assert.ok(views.vigil.rules['ip in']?.[0]?.includes('"counter"'), JSON.stringify(views.vigil.rules));
});

test('differential with keepalived 2.2.7: nftables_ifindex matches every link-local address by index; vrrp_iptables is nftables', { timeout: 120_000 }, async (t) => {
  if (!requireRealNetwork(t, () => commandAvailable('keepalived'), () => commandAvailable('nft'))) return;
  const noAccept6: Cell = { strict: false, accept: 'no_accept', owner: false, family: 6, version: 3 };
  const config = 'global_defs {\n  vrrp_iptables\n  nftables_ifindex\n}\n' + instanceText(noAccept6, 2, 'dont_track_primary');
  const views = await bothTables(config, vipsOf(noAccept6, 2), { keepalived: 'keepalived', vigil: 'vigil_vrrp' });
  assert.deepEqual(views.vigil, views.keepalived);
  assert.deepEqual(Object.keys(views.vigil.sets).sort(), ['ip6 neighbor-discovery', 'ip6 vips', 'ip6 vips_link_local']);
});

test("differential with keepalived 2.2.7: use_vmac's listener-report rules, with accept and with no_accept, IPv4 and IPv6", { timeout: 120_000 }, async (t) => {
  if (!requireRealNetwork(t, () => commandAvailable('keepalived'), () => commandAvailable('nft'))) return;
  const accept4: Cell = { strict: false, accept: '', owner: false, family: 4, version: 2 };
  const noAccept6: Cell = { strict: false, accept: 'no_accept', owner: false, family: 6, version: 3 };
  // IPv6 VMACs are named: keepalived calls them vrrp.VRID first, vigil vrrp6.VRID.
  const config = 'global_defs {\n  nftables_counters\n}\n' + instanceText(accept4, 51, 'use_vmac') + instanceText(noAccept6, 52, 'use_vmac vmac52');
  const views = await bothTables(config, [...vipsOf(accept4, 51), ...vipsOf(noAccept6, 52)], { keepalived: 'keepalived', vigil: 'vigil_vrrp' });
  assert.deepEqual(views.vigil, views.keepalived);
  assert.deepEqual(
    Object.entries(views.vigil.sets).filter(([k]) => k.includes('vmac')).map(([k, v]) => `${k}: ${v.elements.join(' ')}`).sort(),
    ['ip vmac_map: vrrp.51>eth0', 'ip6 vmac_map: vmac52>eth0', 'ip6 vmac_set: vmac52'],
  );
  assert.deepEqual(droppedBy(views.vigil), ['fd77::52:1', 'fe80::77:52%vmac52']);
});

test('against the kernel: no ping answer from a no_accept VIP, answers from accept and owner VIPs; a SIGKILLed vigil leaves its table, the next start replaces it', { timeout: 120_000 }, async (t) => {
  if (!requireRealNetwork(t, () => commandAvailable('nft'))) return;
  const lan = await createLan({ name: 'vipfwping', hosts: ['lb', 'client'], v4Prefix: '192.168.77.X', v6Prefix: 'fd77::X' });
  const [lb, client] = [lan.host('lb'), lan.host('client')];
  const config = `
vrrp_instance NOACCEPT {
  interface eth0
  virtual_router_id 1
  priority 100
  advert_int 1
  no_accept
  virtual_ipaddress {
    192.168.77.100/24
  }
}
vrrp_instance ACCEPT {
  interface eth0
  virtual_router_id 2
  priority 100
  advert_int 1
  accept
  virtual_ipaddress {
    192.168.77.101/24
  }
}
vrrp_instance OWNER {
  interface eth0
  virtual_router_id 3
  priority 255
  advert_int 1
  strict_mode
  virtual_ipaddress {
    192.168.77.102/24
  }
}
vrrp_instance NOACCEPT6 {
  interface eth0
  virtual_router_id 4
  priority 100
  advert_int 1
  no_accept
  virtual_ipaddress {
    fd77::100/64
  }
}
`;
  const d = startDaemon(lan, lb, 'vigil', config);
  try {
    const describe = async () => `${(await lan.exec(lb.ns, ['nft', 'list', 'ruleset'])).stdout}\n${d.log().slice(-3000)}`;
    const all = ['192.168.77.100', '192.168.77.101', '192.168.77.102', 'fd77::100'];
    const up = async () => {
      const held = await addressesIn(lan, lb);
      return all.every((a) => held.includes(a));
    };
    await eventually(up, 20_000, describe);
    // One echo request from the client's namespace, by vigil's own PING_CHECK prober (no ping binary needed).
    const answers = async (address: string): Promise<boolean> => {
      const spec = JSON.stringify({ kind: 'ping', target: { host: address, port: 0 }, timeoutMs: 1000 });
      const { stdout } = await lan.exec(client.ns, [process.execPath, PROBE_CLI, spec]);
      return (JSON.parse(stdout) as { result: { ok: boolean } }).result.ok;
    };
    assert.deepEqual(
      Object.fromEntries(await Promise.all(all.map(async (a) => [a, await answers(a)] as const))),
      { '192.168.77.100': false, '192.168.77.101': true, '192.168.77.102': true, 'fd77::100': false },
      await describe(),
    );
    // The host's own addresses answer all along: only the VIPs are filtered.
    assert.equal(await answers(lb.ipv4), true);

    const handle = async (): Promise<number | undefined> => {
      const tables = JSON.parse((await lan.exec(lb.ns, ['nft', '-j', 'list', 'tables'])).stdout) as { nftables: { table?: { family: string; name: string; handle: number } }[] };
      return tables.nftables.find((o) => o.table?.family === 'ip' && o.table.name === 'vigil_vrrp')?.table?.handle;
    };
    const before = await handle();
    assert.ok(before !== undefined);
    d.kill('SIGKILL');
    await d.exited();
    const left = tableView(await ruleset(lan, lb), 'vigil_vrrp');
    assert.deepEqual(droppedBy(left), ['192.168.77.100', 'fd77::100'], 'a crashed vigil leaves its table');
    d.restart();
    // The crashed run's VIPs are still there: wait for the new run's NOACCEPT to become master.
    const masters = (): number => (d.log().match(/\(NOACCEPT\) Entering MASTER STATE/g) ?? []).length;
    await eventually(async () => masters() === 2 && (await up()), 20_000, describe);
    // The table of the crashed run was removed at start and made anew when NOACCEPT became master again.
    const after = await handle();
    assert.ok(after !== undefined && after !== before, `table handle ${before} → ${after}`);
    assert.equal(await answers('192.168.77.100'), false);
    d.kill('SIGTERM');
    await d.exited();
    assert.deepEqual(tableView(await ruleset(lan, lb), 'vigil_vrrp').families, []);
  } finally {
    if (d.proc.exitCode === null && d.proc.signalCode === null) d.kill('SIGKILL');
    cleanupDir(d);
    await lan.cleanup();
  }
});
