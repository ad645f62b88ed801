/**
 * The bookkeeping both namespace helpers share (harness.ts's LANs, ecmp/namespaces.ts's free topologies): the
 * namespaces made and the processes started in them; cleanup kills those processes by PID, then deletes the
 * namespaces, newest first. Only exports.
 */
import { execFile, execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** A command (no shell), its output whole (up to 64 MiB); rejects when it fails. */
export async function run(cmd: readonly string[]): Promise<ExecResult> {
  const [file, ...args] = cmd;
  if (file === undefined) throw new Error('empty command');
  return execFileAsync(file, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/** SIGKILL (or `signal`) to a PID that may be gone already. */
export function killPid(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export class NamespaceSet {
  private readonly names: string[] = [];
  private readonly children = new Set<ChildProcess>();
  private cleaned = false;

  /** `onCleaned` runs once, when the set has been cleaned up. */
  constructor(private readonly onCleaned: () => void) {}

  /** Creates namespace `ns` (the name whole), to be deleted at cleanup. */
  async add(ns: string): Promise<void> {
    await run(['ip', 'netns', 'add', ns]);
    this.names.push(ns);
  }

  exec(ns: string, cmd: readonly string[]): Promise<ExecResult> {
    return run(['ip', 'netns', 'exec', ns, ...cmd]);
  }

  /** A long-running command in `ns`: `ip netns exec` execs it after setns(), so the child's PID is its own. */
  spawn(ns: string, cmd: readonly string[], options: SpawnOptions = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, ...cmd], { stdio: ['pipe', 'pipe', 'pipe'], ...options });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /** At once: every process still running killed, every namespace deleted. Safe to call twice. */
  cleanupSync(): void {
    if (this.cleaned) return;
    this.cleaned = true;
    for (const child of this.children) if (child.exitCode === null && child.signalCode === null) killPid(child.pid);
    for (const ns of [...this.names].reverse()) {
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'pipe' });
      } catch {
        // already deleted
      }
    }
    this.onCleaned();
  }

  /** cleanupSync(), then waits for the killed processes to be gone. */
  async cleanup(): Promise<void> {
    const waits = [...this.children]
      .filter((c) => c.exitCode === null && c.signalCode === null)
      .map((c) => new Promise<void>((resolve) => c.once('exit', () => resolve())));
    this.cleanupSync();
    await Promise.all(waits);
  }
}
