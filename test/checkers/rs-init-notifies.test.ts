/**
 * global_defs rs_init_notifies (keepalived 2.2.7 ipwrapper.c init_service_rs): a real server that starts alive
 * (no alpha checker) gets its UP notification at start — notify_up, the FIFO line, the log — instead of none; an
 * alpha server is notified when its checker first succeeds, as without the option. On a reload only the real
 * servers the new configuration adds are notified. Through the daemon's checker side on the virtual clock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { SimulatedProber, type SimServerState } from '../../sim/simulated-prober.js';
import { SimulatedBackend } from '../../sim/simulated-backend.js';
import { SimulatedProcessRunner } from '../../sim/simulated-process-runner.js';
import { InProcessCheckerHost } from '../../actors/checks/checker-host.js';
import { NodeChecks } from '../../actors/lvs/node-checks.js';
import { ScriptRunner } from '../../actors/scripts/script-runner.js';
import type { NodeEnvironment } from '../../actors/environment.js';
import { loadConfigText } from '../../config/load.js';
import type { KeepalivedConfig } from '../../actors/vrrp/specs-from-config.js';

const up: SimServerState = { mode: 'up', latencyMs: 0 };

const configOf = (globals: string, servers: readonly string[]): KeepalivedConfig =>
  loadConfigText(
    `global_defs {\n${globals}\n}\nvirtual_server 192.168.77.100 80 {\nprotocol TCP\nlb_algo rr\nlb_kind NAT\ndelay_loop 6\nwarmup 0\n${servers.join('\n')}\n}\n`,
    '/cfg/keepalived.conf',
  ).config;

const server = (n: number, ...lines: string[]): string =>
  `real_server 192.168.77.${10 + n} 80 {\nnotify_up "/bin/up.sh ${n}"\nTCP_CHECK {\n${lines.join('\n')}\n}\n}`;

/** The UP and DOWN notifications (time, server, script) over the first 10 s. */
function notifications(config: KeepalivedConfig, options: { reload?: boolean; previous?: KeepalivedConfig } = {}): string[] {
  const clock = new VirtualClock();
  const logs: string[] = [];
  const log = { debug: () => {}, info: (m: string) => logs.push(`${clock.now()} ${m}`), warn: () => {}, error: () => {} };
  const env = { clock, log } as unknown as NodeEnvironment;
  const prober = new SimulatedProber(clock, { '192.168.77.11': up, '192.168.77.12': up }, []);
  const host = new InProcessCheckerHost({ clock, random: new SeededRandom(1).fork('checkers'), prober });
  const scripts: string[] = [];
  const processes = new SimulatedProcessRunner(clock, (run) => scripts.push(`${run.t_ms} ${run.argv.join(' ')}`));
  const checks = new NodeChecks(env, config, { host, backend: new SimulatedBackend(clock), immediateApply: true }, undefined, options);
  void checks.start(new Set(), { runner: new ScriptRunner(processes, { info: () => {}, warn: () => {} }) });
  clock.runUntil(10_000);
  return [...logs.filter((l) => l.includes('service [')), ...scripts];
}

test('without rs_init_notifies a server alive at start is not notified; an alpha one is, at its first success', () => {
  assert.deepEqual(notifications(configOf('', [server(1), server(2, 'alpha')])), [
    '1000 Adding service [192.168.77.12:80] to VS [192.168.77.100:80]',
    '1000 /bin/up.sh 2',
  ]);
  assert.deepEqual(notifications(configOf('rs_init_notifies false', [server(1)])), []);
});

test('rs_init_notifies: a server alive at start is notified at once (notify_up, log); the alpha one as before', () => {
  assert.deepEqual(notifications(configOf('rs_init_notifies', [server(1), server(2, 'alpha')])), [
    '0 Adding service [192.168.77.11:80] to VS [192.168.77.100:80]',
    '1000 Adding service [192.168.77.12:80] to VS [192.168.77.100:80]',
    '0 /bin/up.sh 1',
    '1000 /bin/up.sh 2',
  ]);
});

test('rs_init_notifies on a reload: only the real servers the new configuration adds', () => {
  const before = configOf('rs_init_notifies', [server(1)]);
  const after = configOf('rs_init_notifies', [server(1), server(2)]);
  assert.deepEqual(notifications(after, { reload: true, previous: before }), ['0 Adding service [192.168.77.12:80] to VS [192.168.77.100:80]', '0 /bin/up.sh 2']);
});
