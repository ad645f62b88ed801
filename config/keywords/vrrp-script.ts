/** `vrrp_script NAME { script, interval, timeout, weight, rise, fall, user, init_fail }` (keepalived.conf(5)). */
import type { VrrpScript } from '../model.js';
import type { ConfigLine } from '../reader.js';
import { integer, rest } from '../values.js';
import { blockSpec } from '../walker.js';
import { ownWeightKeyword } from './tracking.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export type ScriptDraft = Mutable<Omit<VrrpScript, 'timeout'>> & { timeout?: number | undefined };

export function newScriptDraft(name: string, at: ConfigLine): ScriptDraft {
  // keepalived: interval 1 s, weight 0, rise 1, fall 1; the timeout defaults to the interval.
  return { name, at: { file: at.file, line: at.line }, script: '', interval: 1, weight: 0, weightReverse: false, rise: 1, fall: 1, initFail: false };
}

/** keepalived allows 0 for interval/timeout but uses 1. */
function atLeastOne(s: ScriptDraft, line: ConfigLine, n: number, warn: (l: ConfigLine, m: string) => void): number {
  if (n === 0) {
    warn(line, `vrrp_script ${s.name}: ${line.words[0]} must be greater than 0 - using 1`);
    return 1;
  }
  return n;
}

export const VRRP_SCRIPT_SPEC = blockSpec<ScriptDraft>('vrrp_script', {
  script: (s, line, w) => {
    const command = rest(line, 1, w.diagnostics, 'command');
    if (command !== undefined) s.script = command;
  },
  interval: (s, line, w) => {
    const n = integer(line, 1, 0, 4294, w.diagnostics);
    if (n !== undefined) s.interval = atLeastOne(s, line, n, (l, m) => w.diagnostics.warning(l, m));
  },
  timeout: (s, line, w) => {
    const n = integer(line, 1, 0, 4294, w.diagnostics);
    if (n !== undefined) s.timeout = atLeastOne(s, line, n, (l, m) => w.diagnostics.warning(l, m));
  },
  weight: ownWeightKeyword(253),
  rise: (s, line, w) => {
    const n = integer(line, 1, 1, 2147483647, w.diagnostics);
    if (n !== undefined) s.rise = n;
  },
  fall: (s, line, w) => {
    const n = integer(line, 1, 1, 2147483647, w.diagnostics);
    if (n !== undefined) s.fall = n;
  },
  user: (s, line, w) => {
    if (line.words[1] === undefined) {
      w.diagnostics.error(line, 'user: missing user name');
      return;
    }
    s.user = line.words[1];
    s.group = line.words[2];
  },
  init_fail: (s) => {
    s.initFail = true;
  },
});
