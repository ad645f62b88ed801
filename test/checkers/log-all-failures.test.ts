/**
 * keepalived's log_all_failures (per checker) and global_defs checker_log_all_failures (check_tcp.c and siblings):
 * every failed check is logged while the checker is up, not only the one that takes it down; nothing more once it
 * is down. On the virtual clock, through the checker side the daemon runs (actors/lvs/node-checks.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { SimulatedProber, type SimFault, type SimServerState } from '../../sim/simulated-prober.js';
import { SimulatedBackend } from '../../sim/simulated-backend.js';
import { SimulatedProcessRunner } from '../../sim/simulated-process-runner.js';
import { InProcessCheckerHost } from '../../actors/checks/checker-host.js';
import { NodeChecks } from '../../actors/lvs/node-checks.js';
import { ScriptRunner } from '../../actors/scripts/script-runner.js';
import type { NodeEnvironment } from '../../actors/environment.js';
import { loadConfigText } from '../../config/load.js';

const up: SimServerState = { mode: 'up', latencyMs: 0 };
const refuse: SimServerState = { mode: 'refuse', latencyMs: 0 };
/** Refused from 10 s (probes at 1, 7, 13, 16, 19 s: retries at 16, DOWN at 19; then 25, 31, …), back at 40 s. */
const FAULTS: SimFault[] = [
  { atMs: 10_000, target: '192.168.77.11', state: refuse },
  { atMs: 40_000, target: '192.168.77.11', state: up },
];

function run(globals: string, checker: string): string[] {
  const text = `global_defs {\n${globals}\n}\nvirtual_server 192.168.77.100 80 {\nprotocol TCP\nlb_algo rr\nlb_kind NAT\ndelay_loop 6\nretry 2\ndelay_before_retry 3\nwarmup 0\nreal_server 192.168.77.11 80 {\nTCP_CHECK {\n${checker}\n}\n}\n}\n`;
  const { config } = loadConfigText(text, '/cfg/keepalived.conf');
  const clock = new VirtualClock();
  const logs: string[] = [];
  const log = { debug: () => {}, info: (m: string) => logs.push(`${clock.now()} ${m}`), warn: () => {}, error: (m: string) => logs.push(`error ${m}`) };
  const env = { clock, log } as unknown as NodeEnvironment;
  const prober = new SimulatedProber(clock, { '192.168.77.11': up }, FAULTS);
  const host = new InProcessCheckerHost({ clock, random: new SeededRandom(1).fork('checkers'), prober });
  const checks = new NodeChecks(env, config, { host, backend: new SimulatedBackend(clock), immediateApply: true });
  void checks.start(new Set(), { runner: new ScriptRunner(new SimulatedProcessRunner(clock), { info: () => {}, warn: () => {} }) });
  clock.runUntil(45_000);
  return logs.filter((l) => l.includes('failed') || l.includes('service [')).map((l) => l.replace(/ failed: .*/, ' failed'));
}

const FAILED = 'TCP_CHECK on service [192.168.77.11:80] of VS [192.168.77.100:80] failed';
const CHANGES = ['19000 Removing service [192.168.77.11:80] from VS [192.168.77.100:80]', '43000 Adding service [192.168.77.11:80] to VS [192.168.77.100:80]'];

test('without log_all_failures only the changes are logged', () => {
  assert.deepEqual(run('', ''), CHANGES);
  assert.deepEqual(run('checker_log_all_failures off', 'log_all_failures false'), CHANGES);
});

test('log_all_failures: each failure while up (the retries and the one that takes it down), none once down', () => {
  const expected = [`13000 ${FAILED}`, `16000 ${FAILED}`, `19000 ${FAILED}`, CHANGES[0]!, CHANGES[1]!];
  assert.deepEqual(run('', 'log_all_failures'), expected);
  assert.deepEqual(run('', 'log_all_failures yes'), expected);
  assert.deepEqual(run('checker_log_all_failures', ''), expected, 'global_defs checker_log_all_failures for every checker');
});
