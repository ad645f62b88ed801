/**
 * MISC_CHECK: runs a program (no shell) in its own process group. Exit status 0 is a success; with
 * misc_dynamic, 2..255 is a success too and sets the real server's weight to status − 2; anything else, a
 * signal, or running past misc_timeout is a failure. On timeout the group gets SIGTERM, then SIGKILL 2 s later
 * if still there (keepalived check_misc.c does the same).
 */
import { spawn } from 'node:child_process';
import type { MiscProbeSpec, ProbeResult } from '../../prober.js';
import { describeError, once, startProbe } from './outcome.js';
import { lookupUser } from '../user-lookup.js';
import { scriptEnvironment } from '../script-environment.js';

const KILL_GRACE_MS = 2000;

/** The weight rule of misc_dynamic (keepalived.conf MISC_CHECK): what an exit status means. */
export function miscExitVerdict(status: number, dynamic: boolean): { ok: boolean; weight?: number } {
  if (status === 0) return { ok: true };
  if (dynamic && status >= 2 && status <= 255) return { ok: true, weight: status - 2 };
  return { ok: false };
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

export function probeMisc(spec: MiscProbeSpec): Promise<ProbeResult> {
  const timing = startProbe();
  return new Promise((resolve) => {
    const [file, ...args] = spec.argv;
    if (file === undefined) return resolve(timing.done(false, 'empty misc_path'));
    const finish = once((ok: boolean, detail: string, weight?: number): void => {
      clearTimeout(timer);
      resolve(timing.done(ok, detail, weight === undefined ? undefined : { kind: 'absolute', value: weight }));
    });
    const ids = spec.user === undefined ? undefined : lookupUser(spec.user, spec.group);
    if (typeof ids === 'string') return resolve(timing.done(false, ids));
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(file, args, { stdio: 'ignore', detached: true, uid: ids?.uid, gid: ids?.gid, env: scriptEnvironment(), shell: false });
    } catch (err) {
      return resolve(timing.done(false, describeError(err)));
    }
    const timer = setTimeout(() => {
      const pid = child.pid;
      finish(false, `timed out after ${spec.timeoutMs} ms`);
      if (pid === undefined) return;
      killGroup(pid, 'SIGTERM');
      const hard = setTimeout(() => killGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
      child.once('exit', () => clearTimeout(hard));
    }, spec.timeoutMs);
    child.once('error', (err) => finish(false, describeError(err)));
    child.once('exit', (code, signal) => {
      if (code === null) return finish(false, `killed by ${signal ?? 'a signal'}`);
      const verdict = miscExitVerdict(code, spec.dynamic);
      finish(verdict.ok, `exit status ${code}`, verdict.weight);
    });
  });
}
