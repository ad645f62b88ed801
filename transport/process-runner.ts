/**
 * Running external programs (notify scripts, vrrp_script checks, MISC_CHECK): the contract. The real one spawns
 * processes without a shell; a simulated one answers from a schedule. A run never throws: its outcome says what
 * happened.
 */
export interface ProcessRunRequest {
  /** Program and arguments, already split (config/command-line.ts splits a configured line as keepalived does). */
  readonly argv: readonly string[];
  /** Killed (SIGTERM, then SIGKILL) after this long. */
  readonly timeoutMs: number;
  /** Run as this user (keepalived `script_user` / `user`), when set. */
  readonly user?: { readonly uid: number; readonly gid: number } | undefined;
}

export type ProcessOutcome =
  | { readonly kind: 'exited'; readonly code: number }
  | { readonly kind: 'signalled'; readonly signal: string }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'failed'; readonly error: string };

export interface ProcessRunner {
  run(request: ProcessRunRequest): Promise<ProcessOutcome>;
}
