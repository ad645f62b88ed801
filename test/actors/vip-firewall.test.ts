/**
 * The VIP firewall in the runtime, on simulated transports (the same assembly the daemon runs on real ones): which
 * instances drop traffic to their addresses (keepalived 2.2.7's outcomes for vrrp_strict × accept / no_accept ×
 * owner × version), that the drop is in place before the addresses are and goes after them, that it follows the
 * master through a failover and an accept mode changed by a reload, that a stop removes the table and a crash
 * leaves it for the next start to remove,
 * use_vmac's rules, and that a firewall that fails is a warning, never a missing VIP. Also the address-list drop at work, strict mode or not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VigilDaemon } from '../../actors/daemon/daemon.js';
import type { BusMessage } from '../../actors/bus.js';
import { instanceSpec } from '../../actors/vrrp/specs-from-config.js';
import { parseConfigText } from '../../config/parse.js';
import { memoryFileSystem } from '../../config/files.js';
import { LanSegment } from '../../sim/lan-segment.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { SimHost } from '../../sim/sim-host.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import type { VipFirewallFactory } from '../../transport/vip-firewall.js';
import { advanceSettling } from '../virtual-time.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function vrrp(o: { name?: string; vrid?: number; priority: number; extra?: string; vips?: readonly string[]; state?: string }): string {
  return `vrrp_instance ${o.name ?? 'VI_1'} {
    state ${o.state ?? 'BACKUP'}
    interface eth0
    virtual_router_id ${o.vrid ?? 51}
    priority ${o.priority}
    advert_int 1
${o.extra ?? ''}
    virtual_ipaddress {
${(o.vips ?? ['192.168.77.100/24']).map((v) => `        ${v}\n`).join('')}    }
}
`;
}

function parse(text: string) {
  const file = '/cfg/keepalived.conf';
  return parseConfigText(text, file, { fs: memoryFileSystem({ [file]: text }) }).config;
}

test("which instances drop traffic to their addresses: keepalived 2.2.7's outcomes", () => {
  // [vrrp_strict, accept keyword, priority, version] → firewalled; measured with keepalived 2.2.7 in a namespace.
  const cases: [boolean, '' | 'accept' | 'no_accept', number, 2 | 3, boolean][] = [
    [false, '', 100, 2, false],
    [false, 'accept', 100, 2, false],
    [false, 'no_accept', 100, 2, true],
    [false, 'no_accept', 255, 2, false],
    [false, 'no_accept', 100, 3, true],
    [true, '', 100, 2, true],
    [true, '', 255, 2, false],
    [true, 'accept', 100, 2, true],
    [true, 'accept', 100, 3, false],
    [true, 'no_accept', 255, 3, false],
    [true, '', 100, 3, true],
  ];
  for (const [strict, accept, priority, version, firewalled] of cases) {
    const config = parse(`global_defs {\n${strict ? '  vrrp_strict\n' : ''}  vrrp_version ${version}\n}\n` + vrrp({ priority, state: priority === 255 ? 'MASTER' : 'BACKUP', extra: accept ? `    ${accept}` : '' }));
    const spec = instanceSpec(config.vrrpInstances[0]!, config);
    const what = `vrrp_strict ${strict}, ${accept || 'neither'}, priority ${priority}, v${version}`;
    assert.deepEqual(spec.firewalled.map((a) => a.address), firewalled ? ['192.168.77.100'] : [], what);
  }
});

test('every address held is firewalled, excluded ones too; link-local ones by name only with dont_track_primary and without nftables_ifindex', () => {
  const text = (globals: string, extra: string): string =>
    `global_defs {\n${globals}}\n` +
    `vrrp_instance V6 {\n    interface eth0\n    virtual_router_id 9\n    priority 100\n    no_accept\n${extra}\n    virtual_ipaddress {\n        fe80::9/64\n        fd77::9/64\n        fe80::10/64 dev eth1\n    }\n    virtual_ipaddress_excluded {\n        192.168.77.9/24\n    }\n}\n`;
  const firewalled = (globals: string, extra: string) => {
    const config = parse(text(globals, extra));
    return instanceSpec(config.vrrpInstances[0]!, config).firewalled.map((a) => `${a.address}@${a.interface}${a.byName ? ' by name' : ''}`);
  };
  assert.deepEqual(firewalled('', ''), ['fe80::9@eth0', 'fd77::9@eth0', 'fe80::10@eth1', '192.168.77.9@eth0']);
  assert.deepEqual(firewalled('', '    dont_track_primary'), ['fe80::9@eth0 by name', 'fd77::9@eth0 by name', 'fe80::10@eth1', '192.168.77.9@eth0 by name']);
  assert.deepEqual(firewalled('  nftables_ifindex\n', '    dont_track_primary'), ['fe80::9@eth0', 'fd77::9@eth0', 'fe80::10@eth1', '192.168.77.9@eth0']);
});

interface Node {
  readonly host: SimHost;
  readonly daemon: VigilDaemon;
  readonly messages: BusMessage[];
}

class World {
  readonly clock = new VirtualClock();
  readonly segment = new LanSegment('eth0', this.clock, new SeededRandom(3), { latencyMs: 1, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 });
  readonly dir = mkdtempSync(join(tmpdir(), 'vigil-vip-firewall-'));
  private hosts = 0;

  /** Everything the daemons logged as warnings. */
  readonly warnings: string[] = [];

  node(name: string, config: string, firewall?: (host: SimHost) => VipFirewallFactory, host?: SimHost): Node {
    const file = join(this.dir, `${name}.conf`);
    writeFileSync(file, config);
    const h = host ?? new SimHost(name, this.hosts);
    if (!host) h.addInterface('eth0', this.segment, [{ address: `192.168.77.${11 + this.hosts++}`, prefix: 24, family: 4 }]);
    const daemon = new VigilDaemon(
      {
        clock: this.clock,
        link: h,
        addresses: h,
        announcer: h,
        processes: { run: async () => ({ kind: 'exited', code: 0 }) },
        vipFirewall: firewall ? firewall(h) : (settings) => h.nftables.firewall(settings),
        log: { ...quiet, warn: (m: string) => this.warnings.push(m) },
        pid: 1,
      },
      { configFile: file, nodeName: name },
    );
    const messages: BusMessage[] = [];
    daemon.bus.messages$.subscribe((m) => messages.push(m));
    return { host: h, daemon, messages };
  }

  /** Runs the virtual clock, letting promise callbacks (address and firewall changes) run between timers. */
  advance(ms: number): Promise<void> {
    return advanceSettling(this.clock, ms);
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const NO_ACCEPT = (priority: number): string => vrrp({ priority, extra: '    no_accept', vips: ['192.168.77.100/24', '192.168.77.101/24'] });

test('the master drops traffic to its addresses, the backup has no table; a failover moves the drop, a stop removes the table', async () => {
  const w = new World();
  try {
    const a = w.node('lb1', NO_ACCEPT(100));
    const b = w.node('lb2', NO_ACCEPT(90));
    await a.daemon.start();
    await b.daemon.start();
    await w.advance(5000);
    assert.deepEqual(a.host.heldAddresses(), ['192.168.77.100', '192.168.77.101']);
    assert.deepEqual(a.host.nftables.dropped(), ['192.168.77.100', '192.168.77.101']);
    assert.deepEqual(a.host.nftables.tableNames(), ['ip vigil_vrrp']);
    assert.deepEqual(b.host.nftables.tableNames(), [], 'a backup that never was master makes no table');
    await a.daemon.stop();
    await w.advance(2000);
    assert.deepEqual(a.host.nftables.tableNames(), [], "a stop removes vigil's table");
    assert.deepEqual(b.host.heldAddresses(), ['192.168.77.100', '192.168.77.101']);
    assert.deepEqual(b.host.nftables.dropped(), ['192.168.77.100', '192.168.77.101']);
    await b.daemon.stop();
  } finally {
    w.close();
  }
});

test('the drop is in place before an address is added, and lifted only after it is removed', async () => {
  const w = new World();
  try {
    const seen: string[] = [];
    const node = w.node('lb1', NO_ACCEPT(100));
    const { host } = node;
    const add = host.addAddress.bind(host);
    const remove = host.removeAddress.bind(host);
    host.addAddress = (address) => {
      seen.push(`add ${address.address}: ${host.nftables.drops(address.address) ? 'dropped' : 'open'}`);
      return add(address);
    };
    let started = false;
    host.removeAddress = async (address) => {
      await remove(address);
      // (The start's removal of leftover addresses is not the instance's.)
      if (started) seen.push(`removed ${address.address}: ${host.nftables.drops(address.address) ? 'dropped' : 'open'}`);
    };
    await node.daemon.start();
    started = true;
    await w.advance(5000);
    await node.daemon.stop();
    assert.deepEqual(seen, ['add 192.168.77.100: dropped', 'add 192.168.77.101: dropped', 'removed 192.168.77.100: dropped', 'removed 192.168.77.101: dropped']);
    assert.deepEqual(host.nftables.dropped(), []);
  } finally {
    w.close();
  }
});

test("accept mode and the address owner let traffic in: no table at all", async () => {
  const w = new World();
  try {
    const owner = w.node('lb1', 'global_defs {\n  vrrp_strict\n}\n' + vrrp({ priority: 255, state: 'MASTER' }));
    const accepting = w.node('lb2', vrrp({ priority: 100, vrid: 52, vips: ['192.168.77.102/24'], extra: '    accept' }));
    await owner.daemon.start();
    await accepting.daemon.start();
    await w.advance(5000);
    assert.deepEqual(owner.host.heldAddresses(), ['192.168.77.100']);
    assert.deepEqual(accepting.host.heldAddresses(), ['192.168.77.102']);
    assert.deepEqual([...owner.host.nftables.tableNames(), ...accepting.host.nftables.tableNames()], []);
    await owner.daemon.stop();
    await accepting.daemon.stop();
  } finally {
    w.close();
  }
});

test("a crash leaves the table (and the addresses) behind; the next start removes it before anything else", async () => {
  const w = new World();
  try {
    const first = w.node('lb1', 'global_defs {\n  nftables mytab\n}\n' + NO_ACCEPT(100));
    await first.daemon.start();
    await w.advance(5000);
    first.daemon.assembly!.halt();
    assert.deepEqual(first.host.nftables.tableNames(), ['ip mytab']);
    // The next run, as a backup that hears another master: it never blocks, yet the crashed run's table goes.
    const next = w.node('lb1', 'global_defs {\n  nftables mytab\n}\n' + vrrp({ priority: 50, extra: '    no_accept' }), undefined, first.host);
    const other = w.node('lb2', NO_ACCEPT(100));
    await other.daemon.start();
    await w.advance(4000);
    await next.daemon.start();
    await w.advance(100);
    assert.deepEqual(first.host.nftables.tableNames(), []);
    await next.daemon.stop();
    await other.daemon.stop();
  } finally {
    w.close();
  }
});

test('a reload keeps the table it started with, and says so when global_defs asks for another', async () => {
  const w = new World();
  try {
    const node = w.node('lb1', NO_ACCEPT(100));
    await node.daemon.start();
    await w.advance(5000);
    writeFileSync(join(w.dir, 'lb1.conf'), 'global_defs {\n  nftables other\n}\n' + NO_ACCEPT(100));
    assert.equal((await node.daemon.reload()).ok, true);
    await w.advance(1000);
    assert.deepEqual(w.warnings, ['global_defs nftables settings changed: the VIP firewall keeps its table, priority and counters until vigil restarts']);
    assert.deepEqual(node.host.nftables.tableNames(), ['ip vigil_vrrp']);
    assert.deepEqual(node.host.nftables.dropped(), ['192.168.77.100', '192.168.77.101']);
    await node.daemon.stop();
  } finally {
    w.close();
  }
});

test('a reload that changes the accept mode of a master moves its addresses in or out of the table', async () => {
  const w = new World();
  try {
    const node = w.node('lb1', NO_ACCEPT(100));
    await node.daemon.start();
    await w.advance(5000);
    assert.deepEqual(node.host.nftables.dropped(), ['192.168.77.100', '192.168.77.101']);
    // no_accept → accept: the instance restarts and, master again, lets its traffic in.
    const accepting = vrrp({ priority: 100, extra: '    accept', vips: ['192.168.77.100/24', '192.168.77.101/24'] });
    writeFileSync(join(w.dir, 'lb1.conf'), accepting);
    assert.equal((await node.daemon.reload()).ok, true);
    await w.advance(5000);
    assert.equal(node.daemon.status().instances[0]!.state, 'MASTER');
    assert.deepEqual(node.host.heldAddresses(), ['192.168.77.100', '192.168.77.101']);
    assert.deepEqual(node.host.nftables.dropped(), []);
    // accept → vrrp_strict (VRRPv2: accept is ignored): dropped again.
    writeFileSync(join(w.dir, 'lb1.conf'), 'global_defs {\n  vrrp_strict\n}\n' + accepting);
    assert.equal((await node.daemon.reload()).ok, true);
    await w.advance(5000);
    assert.deepEqual(node.host.heldAddresses(), ['192.168.77.100', '192.168.77.101']);
    assert.deepEqual(node.host.nftables.dropped(), ['192.168.77.100', '192.168.77.101']);
    await node.daemon.stop();
    assert.deepEqual(node.host.nftables.tableNames(), []);
  } finally {
    w.close();
  }
});

test("use_vmac, whatever the accept mode: the VMAC's listener reports go out on its base interface from start to stop", async () => {
  const w = new World();
  try {
    const node = w.node(
      'lb1',
      vrrp({ priority: 100, extra: '    use_vmac\n    virtual_ipaddress_excluded {\n        fd77::100/64\n    }' }) +
        vrrp({ name: 'VI_2', vrid: 52, priority: 100, vips: ['192.168.77.102/24'], extra: '    use_vmac vmac52\n    no_accept' }),
    );
    // The VMACs the daemon's host set-up would have made (the simulated host has no netlink).
    node.host.addInterface('vrrp.51', w.segment, []);
    node.host.addInterface('vmac52', w.segment, []);
    await node.daemon.start();
    await w.advance(100);
    assert.deepEqual(node.host.nftables.vmacs(), ['ip vmac52>eth0', 'ip vrrp.51>eth0', 'ip6 vrrp.51>eth0'], 'from the start, as a backup');
    assert.deepEqual(node.host.nftables.dropped(), []);
    await w.advance(5000);
    assert.deepEqual(node.host.nftables.dropped(), ['192.168.77.102'], 'and the no_accept one drops its traffic as master');
    await node.daemon.stop();
    assert.deepEqual(node.host.nftables.tableNames(), []);
  } finally {
    w.close();
  }
});

test('a firewall that cannot block is a warning: the addresses are added all the same', async () => {
  const w = new World();
  try {
    const broken: VipFirewallFactory = () => ({
      block: () => Promise.reject(new Error('nft: no such program')),
      unblock: () => Promise.resolve(),
      addVmac: () => Promise.resolve(),
      removeVmac: () => Promise.resolve(),
      clear: () => Promise.resolve(),
    });
    const node = w.node('lb1', NO_ACCEPT(100), () => broken);
    await node.daemon.start();
    await w.advance(5000);
    assert.deepEqual(node.host.heldAddresses(), ['192.168.77.100', '192.168.77.101']);
    const warnings = node.messages.flatMap((m) => (m.kind === 'warning' ? [m.message] : []));
    assert.deepEqual(warnings, ['cannot drop traffic to the addresses of VI_1 (no_accept / vrrp_strict): Error: nft: no such program']);
    await node.daemon.stop();
  } finally {
    w.close();
  }
});

test('strict mode or not, a backup drops a master whose address list differs (RFC 3768 §7.1) and takes over, as keepalived 2.2.7 does', async () => {
  for (const strict of [true, false]) {
    const w = new World();
    try {
      const globals = strict ? 'global_defs {\n  vrrp_strict\n}\n' : '';
      const master = w.node('lb1', globals + vrrp({ priority: 150, vips: ['192.168.77.100/24', '192.168.77.101/24'] }));
      const backup = w.node('lb2', globals + vrrp({ priority: 100, vips: ['192.168.77.100/24'] }));
      await master.daemon.start();
      await w.advance(4000);
      await backup.daemon.start();
      await w.advance(6000);
      const drops = backup.messages.filter((m) => m.kind === 'drop' && m.reason === 'address_list').length;
      const backupState = backup.daemon.status().instances[0]!.state;
      // keepalived 2.2.7 drops a differing address list in every mode (vrrp.c vrrp_check_packet, addr_list_err).
      assert.ok(drops > 0, `the backup drops the differing advertisements (strict ${strict})`);
      assert.equal(backupState, 'MASTER', 'and takes over, as keepalived 2.2.7 does');
      await master.daemon.stop();
      await backup.daemon.stop();
    } finally {
      w.close();
    }
  }
});
