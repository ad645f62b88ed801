/**
 * A VMAC that cannot be made is tried again at every link event (actors/daemon/host-setup.ts restoreVmacs, as
 * keepalived's recreate_vmac_thread), and its error is logged at most once a minute of the node's clock with how
 * many tries failed meanwhile (actors/log-limiter.ts, the limiter of the send errors too): a flapping link next to
 * an interface that can never get its macvlan must not flood the log. Once the VMAC is made, a new failure is
 * logged at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../config/load.js';
import { nodeSpec } from '../../actors/vrrp/specs-from-config.js';
import { HostSetup } from '../../actors/daemon/host-setup.js';
import type { DaemonEnvironment, VmacManager } from '../../actors/environment.js';
import { LanSegment } from '../../sim/lan-segment.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { SimHost } from '../../sim/sim-host.js';
import { SimulatedProcessRunner } from '../../sim/simulated-process-runner.js';
import { VirtualClock } from '../../sim/virtual-clock.js';

const CONFIG = `vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 61
  priority 100
  use_vmac vrrp.61
  virtual_ipaddress {
    192.168.77.161/24
  }
}
`;

test('a VMAC that keeps failing is logged once a minute with the count of failed tries; after a success a failure is logged at once', async () => {
  const clock = new VirtualClock();
  const segment = new LanSegment('eth0', clock, new SeededRandom(5), { latencyMs: 1, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 });
  const host = new SimHost('lb1', 0);
  host.addInterface('eth0', segment, [{ address: '192.168.77.11', prefix: 24, family: 4 }]);
  const errors: string[] = [];
  let failing = true;
  let present = ['lo', 'eth0'];
  let tries = 0;
  const vmacs: VmacManager = {
    async create(o) {
      tries++;
      if (failing) throw new Error('RTM_NEWLINK vrrp.61: Operation not supported');
      present = [...present, o.name];
    },
    async remove(name) {
      present = present.filter((n) => n !== name);
    },
  };
  const env: DaemonEnvironment = {
    clock,
    link: host,
    addresses: host,
    announcer: host,
    processes: new SimulatedProcessRunner(clock, () => {}, 10),
    log: { debug() {}, info() {}, warn() {}, error: (m) => errors.push(m) },
    pid: 1,
    vmacs,
    interfaces: () => present,
  };
  const setup = new HostSetup(env);
  const instances = nodeSpec(loadConfigText(CONFIG, 'vmac.conf').config).instances;
  assert.equal(instances[0]?.vmac?.name, 'vrrp.61');

  // At start, then at each of 100 link events over 50 s: one line.
  await setup.createVmacs(instances);
  for (let i = 0; i < 100; i++) {
    clock.runFor(500);
    await setup.restoreVmacs(() => instances);
  }
  assert.equal(tries, 101);
  assert.deepEqual(errors, ['(VI_1) cannot create VMAC vrrp.61 on eth0: RTM_NEWLINK vrrp.61: Operation not supported']);

  // A minute after that line: the next failure is said, with the tries left out.
  clock.runFor(10_000);
  await setup.restoreVmacs(() => instances);
  assert.equal(errors.length, 2);
  assert.equal(errors[1], '(VI_1) cannot create VMAC vrrp.61 on eth0: RTM_NEWLINK vrrp.61: Operation not supported (and 100 more like it since the last report)');

  // Made at last; deleted again, and failing again: said at once.
  failing = false;
  clock.runFor(1000);
  await setup.restoreVmacs(() => instances);
  assert.ok(present.includes('vrrp.61'));
  present = present.filter((n) => n !== 'vrrp.61');
  failing = true;
  clock.runFor(1000);
  await setup.restoreVmacs(() => instances);
  assert.equal(errors.length, 3);
  assert.equal(errors[2], '(VI_1) cannot create VMAC vrrp.61 on eth0: RTM_NEWLINK vrrp.61: Operation not supported');
});
