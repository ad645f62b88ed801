/**
 * Running external programs (notify scripts, vrrp_script checks, MISC_CHECK): the contract. The real one spawns
 * processes without a shell; a simulated one answers from a schedule. A run never throws: its outcome says what
 * happened.
 */
export interface ProcessRunRequest {
  /** Program and arguments, already split (config/command-line.ts splits a configured line as keepalived does). */
  readonly argv: readonly string[];
  /** Killed (SIGTERM, then SIGKILL) after this long; Infinity: never (a notify FIFO's reader runs as long as vigil). */
  readonly timeoutMs: number;
  /** Run as this user (keepalived `script_user` / `user`), when set. */
  readonly user?: { readonly uid: number; readonly gid: number } | undefined;
  /** Aborting it ends the run as a timeout would (SIGTERM, then SIGKILL): vigil stopping, a FIFO closed. */
  readonly signal?: AbortSignal | undefined;
}

export type ProcessOutcome =
  | { readonly kind: 'exited'; readonly code: number }
  | { readonly kind: 'signalled'; readonly signal: string }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'failed'; readonly error: string };

export interface ProcessRunner {
  run(request: ProcessRunRequest): Promise<ProcessOutcome>;
}

/**
 * A runner that can answer through a callback run on the injected clock (the simulator's, as CallbackProber for
 * probes): a Promise settles in a microtask, after the virtual clock has already run on.
 */
export interface CallbackProcessRunner extends ProcessRunner {
  runWith(request: ProcessRunRequest, done: (outcome: ProcessOutcome) => void): void;
}

/** Runs a program and hands its outcome to `done`: through the callback where the runner offers one. */
export function runProcess(runner: ProcessRunner, request: ProcessRunRequest, done: (outcome: ProcessOutcome) => void): void {
  const callback = runner as Partial<CallbackProcessRunner>;
  if (typeof callback.runWith === 'function') callback.runWith(request, done);
  else void runner.run(request).then(done);
}
