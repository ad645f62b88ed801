/**
 * ProcessRunner over child_process: no shell, a hard timeout or an abort (SIGTERM, then SIGKILL after 1 s, to the
 * script's own process group), optional uid/gid, and a clean environment (./script-environment.ts).
 */
import { spawn } from 'node:child_process';
import type { ProcessOutcome, ProcessRunner, ProcessRunRequest } from '../process-runner.js';
import { scriptEnvironment } from './script-environment.js';

const KILL_GRACE_MS = 1000;

export class ChildProcessRunner implements ProcessRunner {
  /** Processes still running, by PID: a daemon stopping kills them (no orphan scripts). */
  readonly running = new Set<number>();

  run(request: ProcessRunRequest): Promise<ProcessOutcome> {
    return new Promise((resolve) => {
      const [program, ...args] = request.argv;
      if (program === undefined) {
        resolve({ kind: 'failed', error: 'empty command' });
        return;
      }
      let settled = false;
      let timedOut = false;
      const finish = (outcome: ProcessOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(killTimer);
        resolve(outcome);
      };
      let killTimer: NodeJS.Timeout | undefined;
      const child = spawn(program, args, {
        stdio: 'ignore',
        uid: request.user?.uid,
        gid: request.user?.gid,
        env: scriptEnvironment(),
        // Its own process group, so a timeout kills what the script started too.
        detached: true,
      });
      const pid = child.pid;
      if (pid !== undefined) this.running.add(pid);
      const kill = (signal: NodeJS.Signals): void => {
        if (pid === undefined) return;
        try {
          process.kill(-pid, signal);
        } catch {
          child.kill(signal);
        }
      };
      const end = (): void => {
        if (killTimer !== undefined) return;
        kill('SIGTERM');
        killTimer = setTimeout(() => kill('SIGKILL'), KILL_GRACE_MS);
      };
      const timer = Number.isFinite(request.timeoutMs)
        ? setTimeout(() => {
            timedOut = true;
            end();
          }, request.timeoutMs)
        : undefined;
      const abort = (): void => end();
      request.signal?.addEventListener('abort', abort, { once: true });
      if (request.signal?.aborted) end();
      child.on('error', (error) => {
        if (pid !== undefined) this.running.delete(pid);
        request.signal?.removeEventListener('abort', abort);
        finish({ kind: 'failed', error: error.message });
      });
      child.on('exit', (code, signal) => {
        if (pid !== undefined) this.running.delete(pid);
        request.signal?.removeEventListener('abort', abort);
        if (timedOut) finish({ kind: 'timeout' });
        else if (code !== null) finish({ kind: 'exited', code });
        else finish({ kind: 'signalled', signal: signal ?? 'unknown' });
      });
    });
  }

  killAll(): void {
    for (const pid of this.running) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    this.running.clear();
  }
}
