/**
 * `vigil status [--json] [--status-socket PATH] [--filter WORDS] [--detail] [--watch [SECONDS]]`: asks a running
 * daemon over its status socket. `--status-socket` is the name `vigil run` gives the same socket; `--socket`
 * stays as an alias.
 */
import { Option, type Command } from 'commander';
import { formatStatus, type DaemonStatus } from '../actors/status.js';
import { formatStatusTable, matchesFilter } from '../actors/status-table.js';
import { DEFAULT_STATUS_SOCKET } from './run-command.js';
import { failer, type Fail } from './fail.js';

interface StatusOptions {
  readonly json?: boolean;
  readonly statusSocket?: string;
  readonly socket?: string;
  readonly filter?: string;
  readonly detail?: boolean;
  readonly watch?: string | true;
}

/** Clears the terminal and homes the cursor, so that each refresh of --watch replaces the last. */
const CLEAR = '\x1b[H\x1b[2J';

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('show every VRRP instance of a running daemon')
    .option('--json', 'print the status as JSON')
    .option('--status-socket <path>', 'status socket of the daemon (as given to vigil run)')
    .addOption(new Option('--socket <path>', 'alias of --status-socket').hideHelp())
    .option('--filter <words>', 'only instances matching every word (name, state, interface, VIP, master; vrid=N, state=S)')
    .option('--detail', 'every instance in full, with its counters')
    .option('--watch [seconds]', 'refresh in place every SECONDS (default 1) until interrupted')
    .action(async (options: StatusOptions) => {
      const socket = options.statusSocket ?? options.socket ?? DEFAULT_STATUS_SOCKET;
      const render = (status: DaemonStatus): string => {
        const filter = options.filter ?? '';
        if (options.json) return `${JSON.stringify(filter ? { ...status, instances: status.instances.filter((i) => matchesFilter(i, filter)) } : status)}\n`;
        if (options.detail) return formatStatus({ ...status, instances: status.instances.filter((i) => matchesFilter(i, filter)) });
        return formatStatusTable(status, filter);
      };
      if (options.watch === undefined) {
        process.stdout.write(render(await ask(socket)));
        return;
      }
      const seconds = options.watch === true ? 1 : Number(options.watch);
      if (!Number.isFinite(seconds) || seconds < 0.1) fail(`--watch: '${String(options.watch)}' is not a number of seconds (0.1 or more)`);
      // In place on a terminal; elsewhere (a pipe, a log) each refresh follows the last, separated by a blank line.
      const tty = process.stdout.isTTY === true;
      for (;;) {
        const text = render(await ask(socket));
        process.stdout.write(tty ? `${CLEAR}${text}` : `${text}\n`);
        await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      }
    });
}

async function ask(socket: string): Promise<DaemonStatus> {
  const { requestStatus } = await import('../transport/real/status-socket.js');
  let reply: unknown;
  try {
    reply = await requestStatus(socket, { cmd: 'status' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    fail(`cannot reach the daemon at ${socket}: ${code ?? (err as Error).message}`);
  }
  const error = (reply as { error?: string }).error;
  if (error) fail(error);
  return reply as DaemonStatus;
}

const fail: Fail = failer('status', 1);
