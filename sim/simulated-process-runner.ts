/**
 * The simulator's process runner (the ProcessRunner contract of transport/process-runner.ts): nothing is
 * executed. A program exits with the status the scenario gave it (0 unless told otherwise), decided when the run
 * ends, `runMs` of virtual time after it started; the answer comes through a callback on the clock. Every run is
 * handed to `onRun`, so a report can show which scripts ran and when.
 */
import type { Clock } from '../machines/clock.js';
import type { CallbackProcessRunner, ProcessOutcome, ProcessRunRequest } from '../transport/process-runner.js';

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
  private readonly exits = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly onRun: (run: SimProcessRun) => void = () => {},
    private readonly runMs = 0,
  ) {}

  /** From now on, a run whose argv starts with `argv` exits with `code` (the longest such prefix decides). */
  setExit(argv: readonly string[], code: number): void {
    this.exits.set(key(argv), code);
  }

  exitOf(argv: readonly string[]): number {
    for (let n = argv.length; n > 0; n--) {
      const code = this.exits.get(key(argv.slice(0, n)));
      if (code !== undefined) return code;
    }
    return 0;
  }

  runWith(request: ProcessRunRequest, done: (outcome: ProcessOutcome) => void): void {
    const argv = [...request.argv];
    const end = (outcome: ProcessOutcome): void => {
      request.signal?.removeEventListener('abort', aborted);
      this.onRun({ t_ms: this.clock.now(), argv, outcome });
      done(outcome);
    };
    const id = this.clock.setTimeout(() => end(argv.length === 0 ? { kind: 'failed', error: 'empty command' } : { kind: 'exited', code: this.exitOf(argv) }), this.runMs);
    // An abort ends the run at once, as SIGTERM ends a real one.
    const aborted = (): void => {
      this.clock.clearTimeout(id);
      end({ kind: 'signalled', signal: 'SIGTERM' });
    };
    request.signal?.addEventListener('abort', aborted, { once: true });
  }

  run(request: ProcessRunRequest): Promise<ProcessOutcome> {
    return new Promise((resolve) => this.runWith(request, resolve));
  }
}
