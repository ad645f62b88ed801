/**
 * The ProcessRunner contract (transport/process-runner.ts): what a run of an external program (notify scripts,
 * vrrp_script, MISC_CHECK) comes back as. An exit status comes back as is; death by a signal names the signal; a
 * program still running at its timeout is a timeout, not before it; a program that cannot start is a failure,
 * never a throw; arguments reach the program as given, with no shell in between; `user` runs it as that uid/gid.
 *
 * Programs are described by what they do (`Program`), so a simulated runner can play them from a schedule and the
 * real one from small scripts.
 */
import assert from 'node:assert/strict';
import type { ProcessOutcome, ProcessRunner, ProcessRunRequest } from '../../transport/process-runner.js';
import type { ContractCase } from './contract.js';

export type Program =
  | { readonly does: 'exit'; readonly code: number }
  /** Dies of this signal (sent to itself). */
  | { readonly does: 'die'; readonly signal: 'SIGKILL' | 'SIGTERM' }
  /** Runs until killed. */
  | { readonly does: 'hang' }
  /** Exits 0 when its arguments (after the program) are exactly `args`, else 1. */
  | { readonly does: 'check arguments'; readonly args: readonly string[] }
  /** Exits 0 when it runs as this uid and gid, else 1. */
  | { readonly does: 'check user'; readonly uid: number; readonly gid: number }
  /** Does not exist. */
  | { readonly does: 'not exist' };

export interface ProcessRunnerRig {
  readonly runner: ProcessRunner;
  /** The request that runs a program doing this, with this timeout (plus `user` when the program checks it). */
  request(program: Program, timeoutMs: number): ProcessRunRequest;
  /** Runs a request to its outcome (letting the rig's time go on) and says how long it took on the rig's clock. */
  run(request: ProcessRunRequest): Promise<{ outcome: ProcessOutcome; tookMs: number }>;
}

const TIMEOUT_MS = 5000;

export const processRunnerContract: readonly ContractCase<ProcessRunnerRig>[] = [
  {
    name: 'an exit status comes back as it is',
    async check(rig) {
      for (const code of [0, 1, 2, 255]) {
        const { outcome } = await rig.run(rig.request({ does: 'exit', code }, TIMEOUT_MS));
        assert.deepEqual(outcome, { kind: 'exited', code });
      }
    },
  },
  {
    name: 'death by a signal names the signal',
    async check(rig) {
      for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
        const { outcome } = await rig.run(rig.request({ does: 'die', signal }, TIMEOUT_MS));
        assert.deepEqual(outcome, { kind: 'signalled', signal });
      }
    },
  },
  {
    name: 'a program still running at its timeout is a timeout, not before it',
    async check(rig) {
      const { outcome, tookMs } = await rig.run(rig.request({ does: 'hang' }, 300));
      assert.deepEqual(outcome, { kind: 'timeout' });
      assert.ok(tookMs >= 299, `the timeout came after ${tookMs} ms`);
    },
  },
  {
    name: 'a program that cannot start is a failure with a reason, never a throw; so is an empty command',
    async check(rig) {
      const { outcome } = await rig.run(rig.request({ does: 'not exist' }, TIMEOUT_MS));
      assert.equal(outcome.kind, 'failed');
      assert.ok(outcome.kind === 'failed' && outcome.error.length > 0);
      const empty = await rig.run({ argv: [], timeoutMs: TIMEOUT_MS });
      assert.equal(empty.outcome.kind, 'failed');
    },
  },
  {
    name: 'arguments reach the program as given: no shell splits, expands or runs them',
    async check(rig) {
      const args = ['a;b $HOME', '*', "it's", '', '`true`'];
      const { outcome } = await rig.run(rig.request({ does: 'check arguments', args }, TIMEOUT_MS));
      assert.deepEqual(outcome, { kind: 'exited', code: 0 });
    },
  },
  {
    name: 'user: the program runs as that uid and gid',
    async check(rig) {
      const { outcome } = await rig.run(rig.request({ does: 'check user', uid: 65534, gid: 65534 }, TIMEOUT_MS));
      assert.deepEqual(outcome, { kind: 'exited', code: 0 });
    },
  },
];
