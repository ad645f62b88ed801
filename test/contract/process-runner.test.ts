/**
 * The ProcessRunner contract (process-runner-contract.ts) on the real runner (child processes), on the simulated
 * one (sim/simulated-process-runner.ts: each program becomes a definition of what it does, and `run` lets the
 * virtual clock go on until the outcome is in), and on broken runners that must fail it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChildProcessRunner } from '../../transport/real/child-process-runner.js';
import { SimulatedProcessRunner, type SimProgram } from '../../sim/simulated-process-runner.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import type { ProcessOutcome, ProcessRunner } from '../../transport/process-runner.js';
import { CaseSkipped, failingCases, runContract } from './contract.js';
import { processRunnerContract, type Program, type ProcessRunnerRig } from './process-runner-contract.js';
import { inTempDir } from '../temp-dir.js';

/** The real rig: each program is a small shell script (the script's own shell, not one around the runner). */
function realRig(dir: string, runner: ProcessRunner = new ChildProcessRunner()): ProcessRunnerRig {
  let n = 0;
  const script = (body: string): string => {
    const path = join(dir, `program-${++n}`);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  };
  const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;
  return {
    runner,
    request(program: Program, timeoutMs: number) {
      switch (program.does) {
        case 'exit':
          return { argv: [script(`exit ${program.code}`)], timeoutMs };
        case 'die':
          return { argv: [script(`kill -${program.signal.slice(3)} $$`)], timeoutMs };
        case 'hang':
          return { argv: [script('exec sleep 30')], timeoutMs };
        case 'check arguments': {
          const expected = program.args.map((a, i) => `[ "$${i + 1}" = ${quote(a)} ] || exit 1`).join('\n');
          return { argv: [script(`[ $# = ${program.args.length} ] || exit 1\n${expected}\nexit 0`), ...program.args], timeoutMs };
        }
        case 'check user':
          if (process.getuid?.() !== 0) throw new CaseSkipped('running as another user needs root');
          return { argv: [script(`[ "$(id -u)" = ${program.uid} ] && [ "$(id -g)" = ${program.gid} ]`)], timeoutMs, user: { uid: program.uid, gid: program.gid } };
        case 'not exist':
          return { argv: [join(dir, 'no-such-program')], timeoutMs };
      }
    },
    async run(request) {
      const started = performance.now();
      const outcome = await runner.run(request);
      return { outcome, tookMs: performance.now() - started };
    },
  };
}

function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  return inTempDir('vigil-contracts-process-', (dir) => {
    // The 'check user' script must be readable and runnable by nobody.
    chmodSync(dir, 0o755);
    return body(dir);
  });
}

/** The simulated rig: each program is defined by what it does, under a path of its own. */
function simRig(runMs = 20): ProcessRunnerRig & { readonly runner: SimulatedProcessRunner } {
  const clock = new VirtualClock();
  const runner = new SimulatedProcessRunner(clock, () => {}, runMs);
  let n = 0;
  const define = (program: SimProgram): string => {
    const path = `/sim/program-${++n}`;
    runner.define([path], program);
    return path;
  };
  return {
    runner,
    request(program: Program, timeoutMs: number) {
      switch (program.does) {
        case 'exit':
          return { argv: [define(() => ({ exit: program.code }))], timeoutMs };
        case 'die':
          return { argv: [define(() => ({ signal: program.signal }))], timeoutMs };
        case 'hang':
          return { argv: [define(() => 'hang')], timeoutMs };
        case 'check arguments': {
          const path = define((r) => ({ exit: JSON.stringify(r.argv.slice(1)) === JSON.stringify(program.args) ? 0 : 1 }));
          return { argv: [path, ...program.args], timeoutMs };
        }
        case 'check user': {
          const path = define((r) => ({ exit: r.user?.uid === program.uid && r.user.gid === program.gid ? 0 : 1 }));
          return { argv: [path], timeoutMs, user: { uid: program.uid, gid: program.gid } };
        }
        case 'not exist':
          return { argv: [define(() => 'missing')], timeoutMs };
      }
    },
    async run(request) {
      const started = clock.now();
      let outcome: ProcessOutcome | undefined;
      runner.runWith(request, (o) => (outcome = o));
      while (outcome === undefined && clock.peek() !== undefined) clock.step();
      if (outcome === undefined) throw new Error('the simulated run never ended');
      return { outcome, tookMs: clock.now() - started };
    },
  };
}

test('process runner contract: simulated runner', (t) => runContract(t, processRunnerContract, simRig()));

test('process runner contract: real child processes', { timeout: 60_000 }, (t) => withDir((dir) => runContract(t, processRunnerContract, realRig(dir))));

/** The real runner with one fault. */
function broken(fault: 'shell' | 'throws' | 'impatient' | 'unsigned') {
  const real = new ChildProcessRunner();
  const runner: ProcessRunner = {
    async run(request) {
      switch (fault) {
        case 'shell':
          // Joins the arguments into one shell line: they are split and expanded again.
          return real.run({ ...request, argv: ['/bin/sh', '-c', request.argv.join(' ')] });
        case 'throws':
          if (request.argv.length === 0) throw new Error('empty command');
          return real.run(request);
        case 'impatient':
          return Promise.race([real.run(request), new Promise<{ kind: 'timeout' }>((r) => setTimeout(() => r({ kind: 'timeout' }), request.timeoutMs / 2))]);
        case 'unsigned': {
          const outcome = await real.run(request);
          return outcome.kind === 'signalled' ? { kind: 'exited', code: 128 + 9 } : outcome;
        }
      }
    },
  };
  return runner;
}

test('process runner contract: broken runners fail it', { timeout: 60_000 }, () =>
  withDir(async (dir) => {
    const failing = (fault: Parameters<typeof broken>[0]) => failingCases(processRunnerContract, realRig(dir, broken(fault)));
    const name = (start: string) => processRunnerContract.find((c) => c.name.startsWith(start))!.name;
    assert.ok((await failing('shell')).includes(name('arguments reach')));
    assert.ok((await failing('throws')).includes(name('a program that cannot start')));
    assert.ok((await failing('impatient')).includes(name('a program still running')));
    assert.ok((await failing('unsigned')).includes(name('death by a signal')));
  }),
);
