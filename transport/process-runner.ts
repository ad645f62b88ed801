/**
 * Running external programs (notify scripts, vrrp_script checks, MISC_CHECK): the contract. The real one spawns
 * processes without a shell; a simulated one answers from a schedule. A run never throws: its outcome says what
 * happened.
 */
export interface ProcessRunRequest {
  /** Program and arguments, already split (keepalived splits the configured line on spaces, honouring quotes). */
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
