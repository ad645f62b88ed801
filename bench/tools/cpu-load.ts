/**
 * A controlled competing load for the benchmarks: busy loops at nice 0, loop i pinned to CPU i (modulo the CPUs),
 * each in a session of its own (detached: setsid), so that with sched_autogroup it weighs on the scheduler as one
 * more service would, not as part of the benchmark's own group. Stopped by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';

export interface CpuLoad {
  stop(): void;
}

export function startLoad(loops: number): CpuLoad {
  const online = cpus().length;
  const children: ChildProcess[] = [];
  for (let i = 0; i < loops; i++) {
    const child = spawn('taskset', ['-c', String(i % online), 'sh', '-c', 'while :; do :; done'], { detached: true, stdio: 'ignore' });
    child.unref();
    children.push(child);
  }
  return {
    stop() {
      // taskset execs the shell: the PID is the loop's own.
      for (const c of children) if (c.pid !== undefined && c.exitCode === null) process.kill(c.pid, 'SIGKILL');
    },
  };
}
