/**
 * keepalived's lvs_sync_daemon, from the configuration to the kernel: the checker side (actors/lvs/node-checks.ts)
 * starts the daemon as its VRRP instance's state says and follows the transitions the bus carries (as the node
 * assembly passes them on); judged from the stand-in IPVS kernel's daemons (test/lb/fake-ipvs-kernel.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { SimulatedProber } from '../../sim/simulated-prober.js';
import { InProcessCheckerHost } from '../../actors/checks/checker-host.js';
import { NodeChecks } from '../../actors/lvs/node-checks.js';
import { SyncDaemonRunner } from '../../actors/lvs/sync-daemon-runner.js';
import type { NodeEnvironment } from '../../actors/environment.js';
import { IpvsBackend } from '../../transport/real/lb/ipvs-backend.js';
import { NftablesBackend } from '../../transport/real/lb/nftables-backend.js';
import { loadConfigText } from '../../config/load.js';
import { FakeIpvsKernel } from '../lb/fake-ipvs-kernel.js';
import { ScriptRunner } from '../../actors/scripts/script-runner.js';
import { SimulatedProcessRunner } from '../../sim/simulated-process-runner.js';

/** These configurations have no notify scripts: the checker side is given a runner that nothing reaches. */
const NO_SCRIPTS = { runner: new ScriptRunner(new SimulatedProcessRunner(new VirtualClock()), { info: () => {}, warn: () => {} }) };

const VRRP = `vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 100
  virtual_ipaddress { 192.168.77.100 }
}
`;

function nodeChecks(text: string, kernel: FakeIpvsKernel, options: { nftables?: boolean } = {}) {
  const { config } = loadConfigText(text, '/cfg/keepalived.conf');
  const clock = new VirtualClock();
  const logs: string[] = [];
  const log = { debug: () => {}, info: (m: string) => logs.push(`info ${m}`), warn: (m: string) => logs.push(`warn ${m}`), error: (m: string) => logs.push(`error ${m}`) };
  const env = { clock, log } as unknown as NodeEnvironment;
  const host = new InProcessCheckerHost({ clock, random: new SeededRandom(1).fork('checkers'), prober: new SimulatedProber(clock, {}, []) });
  const backend = options.nftables ? new NftablesBackend({ runner: { run: async () => ({ stdout: '', stderr: '' }) } }) : new IpvsBackend(kernel);
  return { checks: new NodeChecks(env, config, { host, backend, immediateApply: false }), logs, config };
}

const states = (k: FakeIpvsKernel) => [...k.daemons.values()].map((d) => `${d.state === 1 ? 'master' : 'backup'} ${d.interface} ${d.syncId}`).sort();

test('lvs_sync_daemon IF inst NAME: backup at start, master while the instance is MASTER, backup again after, stopped with vigil', async () => {
  const kernel = new FakeIpvsKernel();
  const { checks } = nodeChecks(`global_defs {\n  lvs_sync_daemon eth1 inst VI_1 maxlen 1400 port 8848 ttl 2 group 224.0.0.81\n}\n${VRRP}`, kernel);
  checks.start(new Set(), NO_SCRIPTS);
  await checks.settled();
  assert.deepEqual(states(kernel), ['backup eth1 51'], 'the sync id defaults to the instance VRID');
  assert.deepEqual(kernel.daemons.get(2), { state: 2, interface: 'eth1', syncId: 51, maxlen: 1400, port: 8848, ttl: 2, group: Uint8Array.of(224, 0, 0, 81) });
  checks.vrrpState('VI_2', 'MASTER');
  checks.vrrpState('VI_1', 'MASTER');
  await checks.settled();
  assert.deepEqual(states(kernel), ['master eth1 51']);
  checks.vrrpState('VI_1', 'FAULT');
  await checks.settled();
  assert.deepEqual(states(kernel), ['backup eth1 51'], 'leaving MASTER (to FAULT too) is backup again');
  checks.vrrpState('VI_1', 'MASTER');
  await checks.stop(true);
  assert.deepEqual(states(kernel), [], 'a stop of vigil stops the daemon running');
});

test('an instance already MASTER when the checker side starts: the master daemon at once', async () => {
  const kernel = new FakeIpvsKernel();
  const { checks } = nodeChecks(`global_defs {\n  lvs_sync_daemon eth1 VI_1 id 7\n}\n${VRRP}`, kernel);
  checks.start(new Set(['VI_1']), NO_SCRIPTS);
  await checks.settled();
  assert.deepEqual(states(kernel), ['master eth1 7']);
});

test("the instance's lvs_sync_daemon_interface means lvs_sync_daemon IF NAME", async () => {
  const kernel = new FakeIpvsKernel();
  const { checks, config } = nodeChecks(VRRP.replace('priority 100', 'priority 100\n  lvs_sync_daemon_interface eth2'), kernel);
  assert.equal(config.globalDefs.lvsSyncDaemon?.instance, 'VI_1');
  checks.start(new Set(), NO_SCRIPTS);
  checks.vrrpState('VI_1', 'MASTER');
  await checks.settled();
  assert.deepEqual(states(kernel), ['master eth2 51']);
});

test('without an instance both daemons run from start to stop, sync id 0; a reload leaves them running', async () => {
  const kernel = new FakeIpvsKernel();
  const { checks } = nodeChecks('global_defs {\n  lvs_sync_daemon eth1\n}\n', kernel);
  checks.start(new Set(), NO_SCRIPTS);
  await checks.settled();
  assert.deepEqual(states(kernel), ['backup eth1 0', 'master eth1 0']);
  await checks.stop(false);
  assert.deepEqual(states(kernel), ['backup eth1 0', 'master eth1 0'], 'a reload does not interrupt the sync');
  const again = nodeChecks('global_defs {\n  lvs_sync_daemon eth1\n}\n', kernel).checks;
  kernel.commands.length = 0;
  again.start(new Set(), NO_SCRIPTS);
  await again.settled();
  assert.ok(!kernel.commands.includes(9) && !kernel.commands.includes(10), 'the next checker side finds them as wanted');
  await again.stop(true);
  assert.deepEqual(states(kernel), []);
});

test('a daemon left by a crash with another configuration is restarted with this one', async () => {
  const kernel = new FakeIpvsKernel();
  kernel.daemons.set(2, { state: 2, interface: 'eth9', syncId: 3 });
  const runner = new SyncDaemonRunner(new IpvsBackend(kernel).syncDaemon, { config: { interface: 'eth1', syncId: 51 }, instance: 'VI_1' }, { debug() {}, info() {}, warn() {}, error() {} });
  runner.start(new Set());
  await runner.settled();
  assert.deepEqual(states(kernel), ['backup eth1 51']);
});

test('a kernel error is logged, and the next transition tries again', async () => {
  const kernel = new FakeIpvsKernel();
  kernel.daemons.set(1, { state: 1, interface: 'eth1', syncId: 51 });
  const errors: string[] = [];
  const control = new IpvsBackend(kernel).syncDaemon;
  let fail = true;
  const flaky = { start: async (...a: Parameters<typeof control.start>) => (fail ? Promise.reject(new Error('EBUSY')) : control.start(...a)), stop: control.stop.bind(control) };
  const runner = new SyncDaemonRunner(flaky, { config: { interface: 'eth1', syncId: 51 }, instance: 'VI_1' }, { debug() {}, info() {}, warn() {}, error: (m) => errors.push(m) });
  runner.start(new Set());
  await runner.settled();
  assert.match(errors[0] ?? '', /lvs_sync_daemon: cannot start the backup sync daemon on eth1 \(sync id 51\): EBUSY/);
  fail = false;
  runner.vrrpState('VI_1', 'MASTER');
  await runner.settled();
  assert.deepEqual(states(kernel), ['master eth1 51']);
});

test('auto chose nftables: the IPVS-only keywords are named in one error line at start', async () => {
  const { checks, logs } = nodeChecks(`global_defs {\n  lvs_timeouts tcp 7200\n}\nvirtual_server 192.168.77.100 5060 {\n  protocol UDP\n  lb_algo rr\n  ops\n  persistence_timeout 60\n  persistence_engine sip\n}\n`, new FakeIpvsKernel(), { nftables: true });
  checks.start(new Set(), NO_SCRIPTS);
  const line = logs.find((l) => l.startsWith('error '));
  assert.match(line ?? '', /load balancer nftables \(lvs_backend auto\) cannot do what IPVS does; not applied: lvs_timeouts; ops \(virtual_server at \/cfg\/keepalived.conf:4\); persistence_engine sip/);
  await checks.stop(false);
});
