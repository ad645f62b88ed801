/**
 * keepalived's notifications: on each state change of an instance (or sync group) run `notify_<state>` and
 * `notify` ("INSTANCE"|"GROUP" name state priority), and write the same line to `notify_fifo`. Scripts run
 * without a shell, with a timeout, as `script_user`; the daemon never waits for them.
 */
import type { Subscription } from 'rxjs';
import { runProcess, type ProcessRunner } from '../../transport/process-runner.js';
import { splitCommandLine } from '../../config/command-line.js';
import type { Bus } from '../bus.js';

export interface NotifyScripts {
  readonly notifyMaster?: string | undefined;
  readonly notifyBackup?: string | undefined;
  readonly notifyFault?: string | undefined;
  readonly notifyStop?: string | undefined;
  readonly notify?: string | undefined;
}

export interface NotifierOptions {
  /** Only this node's changes (the simulator's bus carries every node's); all when absent. */
  readonly node?: string | undefined;
  readonly instances: ReadonlyMap<string, NotifyScripts>;
  readonly groups: ReadonlyMap<string, NotifyScripts>;
  readonly runner: ProcessRunner;
  readonly timeoutMs: number;
  readonly user?: { readonly uid: number; readonly gid: number } | undefined;
  /** notify_fifo: one line per change, written by the caller (a FIFO with no reader must not block us). */
  readonly writeFifo?: ((line: string) => void) | undefined;
  readonly log: (level: 'info' | 'warn', message: string) => void;
}

const STATE_SCRIPT: Record<string, keyof NotifyScripts> = {
  MASTER: 'notifyMaster',
  BACKUP: 'notifyBackup',
  FAULT: 'notifyFault',
  STOP: 'notifyStop',
};

export class Notifier {
  private subscription: Subscription | undefined;
  /** Runs in flight; a stopping daemon waits for none of them. */
  inFlight = 0;

  constructor(private options: NotifierOptions) {}

  attach(bus: Bus): void {
    this.subscription = bus.messages$.subscribe((m) => {
      if (this.options.node !== undefined && m.node !== this.options.node) return;
      if (m.kind === 'notify') this.changed('INSTANCE', m.instance, m.state, m.priority, this.options.instances.get(m.instance));
      if (m.kind === 'sync') this.changed('GROUP', m.group, m.to, 0, this.options.groups.get(m.group));
    });
  }

  /** A reload brings new script settings. */
  update(instances: ReadonlyMap<string, NotifyScripts>, groups: ReadonlyMap<string, NotifyScripts>): void {
    this.options = { ...this.options, instances, groups };
  }

  detach(): void {
    this.subscription?.unsubscribe();
  }

  private changed(kind: 'INSTANCE' | 'GROUP', name: string, state: string, priority: number, scripts: NotifyScripts | undefined): void {
    this.options.writeFifo?.(`${kind} "${name}" ${state} ${priority}\n`);
    if (!scripts) return;
    const specific = STATE_SCRIPT[state];
    const line = specific ? scripts[specific] : undefined;
    if (line) this.run(splitCommandLine(line), `${kind.toLowerCase()} ${name} ${specific}`);
    if (scripts.notify) this.run([...splitCommandLine(scripts.notify), kind, name, state, String(priority)], `${kind.toLowerCase()} ${name} notify`);
  }

  private run(argv: string[], what: string): void {
    const { runner, timeoutMs, user, log } = this.options;
    this.inFlight++;
    runProcess(runner, { argv, timeoutMs, user }, (outcome) => {
      this.inFlight--;
      if (outcome.kind === 'exited' && outcome.code === 0) return;
      if (outcome.kind === 'timeout') log('warn', `${what}: ${argv[0]} timed out after ${timeoutMs} ms and was killed`);
      else if (outcome.kind === 'exited') log('warn', `${what}: ${argv[0]} exited with status ${outcome.code}`);
      else if (outcome.kind === 'signalled') log('warn', `${what}: ${argv[0]} was killed by ${outcome.signal}`);
      else log('warn', `${what}: cannot run ${argv[0]}: ${outcome.error}`);
    });
  }
}
