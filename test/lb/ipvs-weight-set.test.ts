/**
 * realServerWeight set over SNMP on the IPVS backend (keepalived update_svr_wgt → ipvs_cmd(LVS_CMD_EDIT_DEST)): the
 * checker side's set reaches the kernel as IPVS_CMD_SET_DEST with the new weight, and a reload's reset sends the
 * configured one back. Through the daemon's checker side on the virtual clock and a stand-in IPVS kernel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as turn } from 'node:timers/promises';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { SimulatedProber } from '../../sim/simulated-prober.js';
import { SimulatedProcessRunner } from '../../sim/simulated-process-runner.js';
import { InProcessCheckerHost } from '../../actors/checks/checker-host.js';
import { NodeChecks } from '../../actors/lvs/node-checks.js';
import { ScriptRunner } from '../../actors/scripts/script-runner.js';
import type { NodeEnvironment } from '../../actors/environment.js';
import { loadConfigText } from '../../config/load.js';
import { IpvsBackend } from '../../transport/real/lb/ipvs-backend.js';
import { IPVS_CMD } from '../../protocol/ipvs-messages.js';
import { FakeIpvsKernel } from './fake-ipvs-kernel.js';

test('realServerWeight on IPVS: SET_DEST with the weight set, and the configured weight again after a reset', async () => {
  const config = loadConfigText(
    `virtual_server 192.168.77.100 80 {\nprotocol TCP\nlb_algo wrr\nlb_kind NAT\ndelay_loop 1\n` +
      [1, 2].map((n) => `real_server 192.168.77.${10 + n} 80 {\nweight ${n}\nTCP_CHECK {\n}\n}`).join('\n') +
      '\n}\n',
    '/cfg/keepalived.conf',
  ).config;
  const clock = new VirtualClock();
  const env = { clock, log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } } as unknown as NodeEnvironment;
  const prober = new SimulatedProber(clock, { '192.168.77.11': { mode: 'up', latencyMs: 0 }, '192.168.77.12': { mode: 'up', latencyMs: 0 } }, []);
  const host = new InProcessCheckerHost({ clock, random: new SeededRandom(1).fork('checkers'), prober });
  const kernel = new FakeIpvsKernel();
  const checks = new NodeChecks(env, config, { host, backend: new IpvsBackend(kernel), immediateApply: true });
  void checks.start(new Set(), { runner: new ScriptRunner(new SimulatedProcessRunner(clock, () => {}), { info: () => {}, warn: () => {} }) });
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 20; i++) {
      clock.runUntil(clock.now() + 100);
      await turn();
    }
  };
  const weights = (): Record<string, number> =>
    Object.fromEntries([...(kernel.services.get('2/6/c0a84d64/80')?.dests.values() ?? [])].map((d) => [d.address.join('.'), d.weight]));
  await settle();
  assert.deepEqual(weights(), { '192.168.77.11': 1, '192.168.77.12': 2 });
  kernel.commands.length = 0;
  assert.equal(checks.setRealServerWeight(0, 1, 7), true);
  await settle();
  assert.deepEqual(weights(), { '192.168.77.11': 1, '192.168.77.12': 7 });
  assert.deepEqual(kernel.commands.filter((c) => c !== IPVS_CMD.GET_SERVICE && c !== IPVS_CMD.GET_DEST), [IPVS_CMD.SET_DEST]);
  checks.resetWeights();
  await settle();
  assert.deepEqual(weights(), { '192.168.77.11': 1, '192.168.77.12': 2 });
  await checks.stop(true);
});
