/** `vigil status [--json] [--socket PATH]`: asks a running daemon over its status socket. */
import type { Command } from 'commander';
import { formatStatus, type DaemonStatus } from '../actors/status.js';
import { DEFAULT_STATUS_SOCKET } from './run-command.js';

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('show every VRRP instance of a running daemon')
    .option('--json', 'print the status as JSON')
    .option('--socket <path>', 'status socket of the daemon', DEFAULT_STATUS_SOCKET)
    .action(async (options: { json?: boolean; socket: string }) => {
      const { requestStatus } = await import('../transport/real/status-socket.js');
      let reply: unknown;
      try {
        reply = await requestStatus(options.socket, { cmd: 'status' });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        process.stderr.write(`vigil status: cannot reach the daemon at ${options.socket}: ${code ?? (err as Error).message}\n`);
        process.exit(1);
      }
      const error = (reply as { error?: string }).error;
      if (error) {
        process.stderr.write(`vigil status: ${error}\n`);
        process.exit(1);
      }
      const status = reply as DaemonStatus;
      process.stdout.write(options.json ? `${JSON.stringify(status)}\n` : formatStatus(status));
    });
}
