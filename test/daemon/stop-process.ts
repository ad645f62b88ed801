/** Stopping a vigil the test spawned itself (not through startDaemon). Only exports. */
import type { ChildProcess } from 'node:child_process';

/** SIGTERM to the child, SIGKILL 20 s later if it is still there; resolves once it has exited. */
export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
  });
}
