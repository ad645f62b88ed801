/**
 * The simulator's process runner (the ProcessRunner contract of transport/process-runner.ts): nothing is
 * executed. A program does what the scenario (or a test) made it do: exit with a status (0 unless told otherwise),
 * die of a signal, hang until its timeout, or not exist. The outcome is decided when the run ends, `runMs` of
 * virtual time after it started (at `timeoutMs` for a program that hangs or runs longer), and comes through a
 * callback on the clock. Every run is handed to `onRun`, so a report can show which scripts ran and when.
 */
import type { Clock } from '../machines/clock.js';
import type { CallbackProcessRunner, ProcessOutcome, ProcessRunRequest } from '../transport/process-runner.js';

/** What a simulated program does with one run (it sees the whole request: arguments and user). */
export type SimProgramAnswer = { readonly exit: number } | { readonly signal: string } | 'hang' | 'missing';
export type SimProgram = (request: ProcessRunRequest) => SimProgramAnswer;

export interface SimProcessRun {
  /** When the run ended (virtual ms). */
  readonly t_ms: number;
  readonly argv: readonly string[];
  readonly outcome: ProcessOutcome;
}

function key(argv: readonly string[]): string {
  return JSON.stringify(argv);
}

export class SimulatedProcessRunner implements CallbackProcessRunner {
  private readonly programs = new Map<string, SimProgram>();

  constructor(
    private readonly clock: Clock,
    private readonly onRun: (run: SimProcessRun) => void = () => {},
    private readonly runMs = 0,
  ) {}

  /** From now on, a run whose argv starts with `argv` is answered by `program` (the longest such prefix decides). */
  define(argv: readonly string[], program: SimProgram): void {
    this.programs.set(key(argv), program);
  }

  /** From now on, a run whose argv starts with `argv` exits with `code`. */
  setExit(argv: readonly string[], code: number): void {
    this.define(argv, () => ({ exit: code }));
  }

  private answer(request: ProcessRunRequest): SimProgramAnswer {
    for (let n = request.argv.length; n > 0; n--) {
      const program = this.programs.get(key(request.argv.slice(0, n)));
      if (program) return program(request);
    }
    return { exit: 0 };
  }

  runWith(request: ProcessRunRequest, done: (outcome: ProcessOutcome) => void): void {
    const argv = [...request.argv];
    const answer: SimProgramAnswer = argv.length === 0 ? 'missing' : this.answer(request);
    // A program that cannot start fails at once; one that outlives its timeout is killed then, as the real runner
    // does; an abort ends a run at once, as SIGTERM ends a real one.
    const ranMs = answer === 'missing' ? 0 : answer === 'hang' ? request.timeoutMs : Math.min(this.runMs, request.timeoutMs);
    const timedOut = answer === 'hang' || (answer !== 'missing' && this.runMs > request.timeoutMs);
    const end = (outcome: ProcessOutcome): void => {
      request.signal?.removeEventListener('abort', aborted);
      this.onRun({ t_ms: this.clock.now(), argv, outcome });
      done(outcome);
    };
    const finished = (): void =>
      end(
        answer === 'missing'
          ? { kind: 'failed', error: argv.length === 0 ? 'empty command' : `${argv[0]}: no such file (simulated)` }
          : timedOut
            ? { kind: 'timeout' }
            : 'exit' in answer
              ? { kind: 'exited', code: answer.exit }
              : { kind: 'signalled', signal: answer.signal },
      );
    // A run without a timeout that hangs ends only when aborted.
    const id = Number.isFinite(ranMs) ? this.clock.setTimeout(finished, ranMs) : undefined;
    const aborted = (): void => {
      if (id !== undefined) this.clock.clearTimeout(id);
      end({ kind: 'signalled', signal: 'SIGTERM' });
    };
    request.signal?.addEventListener('abort', aborted, { once: true });
  }

  run(request: ProcessRunRequest): Promise<ProcessOutcome> {
    return new Promise((resolve) => this.runWith(request, resolve));
  }
}
