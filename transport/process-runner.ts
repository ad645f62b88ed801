/**
 * Running external programs (notify scripts, vrrp_script checks, MISC_CHECK): the contract. The real one spawns
 * processes without a shell; a simulated one answers from a schedule. A run never throws: its outcome says what
 * happened.
 */
export interface ProcessRunRequest {
  /** Program and arguments, already split (keepalived splits the configured line on spaces, honouring quotes). */
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

/**
 * Splits a keepalived script line into argv: words separated by blanks, single or double quotes group words
 * (keepalived.conf(5): a script path with arguments is quoted as a whole in the config and split here).
 */
export function splitCommandLine(line: string): string[] {
  const out: string[] = [];
  let current = '';
  let quote: string | undefined;
  let inWord = false;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === ' ' || ch === '\t') {
      if (inWord) out.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (inWord) out.push(current);
  return out;
}
