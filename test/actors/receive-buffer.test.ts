/** Each instance's share of its VRRP socket's receive buffer, as keepalived 2.2.7 computes it (vrrp_scheduler.c). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advertisementLength, receiveBufferShare, rxBufsPolicy, sumShares } from '../../actors/vrrp/receive-buffer.js';

const v3 = { family: 4 as const, version: 3 as const, authentication: undefined, kernelRxBufSize: undefined };

test('advertisement lengths: IP header, AH header, v2 authentication data, addresses (IPv6: the VRRP message)', () => {
  assert.equal(advertisementLength(v3, 2), 20 + 8 + 8);
  assert.equal(advertisementLength({ ...v3, version: 2 }, 1), 20 + 8 + 8 + 4);
  assert.equal(advertisementLength({ ...v3, version: 2, authentication: { type: 'AH', password: 'x' } }, 1), 20 + 24 + 8 + 8 + 4);
  assert.equal(advertisementLength({ ...v3, family: 6 }, 2), 8 + 32);
});

test('shares: kernel_rx_buf_size first, then a size, ADVERT × multiplier, MTU × multiplier; none without either', () => {
  const g = (policy?: string, multiplier = 3) => ({ vrrpRxBufsPolicy: policy, vrrpRxBufsMultiplier: multiplier });
  assert.deepEqual(receiveBufferShare({ ...v3, kernelRxBufSize: 9000 }, 1, g('MTU')), { bytes: 9000 });
  assert.deepEqual(receiveBufferShare(v3, 1, g('65536')), { bytes: 65536 });
  assert.deepEqual(receiveBufferShare(v3, 2, g('advert', 4)), { bytes: 4 * 36 });
  assert.deepEqual(receiveBufferShare(v3, 2, g('MTU')), { mtuMultiple: 3 });
  assert.equal(receiveBufferShare(v3, 2, g()), undefined);
  assert.deepEqual(rxBufsPolicy('Mtu'), { mtu: true });
  assert.deepEqual(sumShares([{ bytes: 100 }, undefined, { mtuMultiple: 3 }, { bytes: 50 }, { mtuMultiple: 1 }]), { bytes: 150, mtuMultiple: 4 });
});

test('the node sizes each channel from the shares of the instances on it, at start and when a reload changes them', async () => {
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { VigilDaemon } = await import('../../actors/daemon/daemon.js');
  const { LanSegment } = await import('../../sim/lan-segment.js');
  const { SeededRandom } = await import('../../sim/seeded-random.js');
  const { SimHost } = await import('../../sim/sim-host.js');
  const { SimulatedProcessRunner } = await import('../../sim/simulated-process-runner.js');
  const { VirtualClock } = await import('../../sim/virtual-clock.js');
  const { advanceSettling } = await import('../virtual-time.js');
  const dir = mkdtempSync(join(tmpdir(), 'vigil-kw-net-rb-'));
  const file = join(dir, 'keepalived.conf');
  const instance = (name: string, vrid: number, extra: string) =>
    `vrrp_instance ${name} {\n interface eth0\n virtual_router_id ${vrid}\n priority 100\n ${extra}\n virtual_ipaddress {\n  192.168.77.${vrid}/24\n }\n}\n`;
  writeFileSync(file, `global_defs {\n vrrp_rx_bufs_policy MTU\n}\n${instance('A', 51, 'kernel_rx_buf_size 9000')}${instance('B', 52, '')}`);
  const clock = new VirtualClock();
  const segment = new LanSegment('eth0', clock, new SeededRandom(1), { latencyMs: 1, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 });
  const host = new SimHost('a', 0);
  host.addInterface('eth0', segment, [{ address: '192.168.77.11', prefix: 24, family: 4 }]);
  const sizes: [number, number][] = [];
  const link = { open: (o: Parameters<typeof host.open>[0]) => Object.assign(host.open(o), { setReceiveBuffer: (b: number, m: number) => void sizes.push([b, m]) }) };
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const daemon = new VigilDaemon({ clock, link, addresses: host, announcer: host, processes: new SimulatedProcessRunner(clock), log: quiet, pid: 1 }, { configFile: file, nodeName: 'a', vrrpOnly: true });
  try {
    await daemon.start();
    // A alone, then A and B (3 × the MTU) on the one channel.
    assert.deepEqual(sizes, [[9000, 0], [9000, 3]]);
    writeFileSync(file, `global_defs {\n vrrp_rx_bufs_policy MTU\n}\n${instance('B', 52, '')}`);
    const reloaded = daemon.reload();
    await advanceSettling(clock, 100);
    assert.equal((await reloaded).ok, true);
    assert.deepEqual(sizes.at(-1), [0, 3]);
  } finally {
    const stopping = daemon.stop();
    await advanceSettling(clock, 1000);
    await stopping;
    rmSync(dir, { recursive: true, force: true });
  }
});
