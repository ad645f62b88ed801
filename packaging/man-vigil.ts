/**
 * vigil(8): the command line, made from the commander program itself (packaging/cli-tree.ts) so every command and
 * option of cli/ is on the page, plus what help cannot say: keepalived's spellings, signals, files, exit codes.
 */
import { allCommands, type CliCommand } from './cli-tree.js';
import { bold, italic, roffArg, roffText, titleLine } from './roff.js';

export interface PageInfo {
  readonly version: string;
  /** YYYY-MM-DD, or empty. */
  readonly date: string;
}

function commandSection(command: CliCommand): string[] {
  const name = command.path.join(' ');
  const out = ['.SS ' + roffArg(`${name} ${command.usage}`.trim()), ...command.description.split('\n').map(roffText)];
  for (const a of command.arguments) {
    out.push('.TP', `\\fI${roffText(a.name)}\\fR${a.required ? '' : ' (optional)'}`, roffText(a.description));
  }
  for (const o of command.options) {
    const names = [o.short, o.long].filter((n): n is string => n !== undefined).map(bold).join(', ');
    out.push('.TP', o.value !== undefined ? `${names} ${italic(o.value)}` : names, roffText(o.description));
  }
  if (command.commands.length > 0) {
    out.push('.PP', `Subcommands: ${command.commands.map((c) => bold(c.path.join(' '))).join(', ')}.`);
  }
  return out;
}

export function vigilManPage(tree: CliCommand, info: PageInfo): string {
  const commands = allCommands(tree).slice(1);
  const lines = [
    titleLine('vigil', 8, info.date, info.version, 'System Administration'),
    '.SH NAME',
    'vigil \\- VRRP failover and load\\-balancer health checking, compatible with keepalived',
    '.SH SYNOPSIS',
    ...commands.filter((c) => c.commands.length === 0).flatMap((c) => ['.br', `${bold(c.path.join(' '))} ${roffText(c.usage)}`]),
    '.br',
    `${bold('vigil -f')} ${italic('file')} [${bold('-D')}] [${bold('-l')}] [${bold('-n')}] [${bold('-P')}|${bold('-C')}] [${bold('-p')} ${italic('pidfile')}] [${bold('-i')} ${italic('id')}]`,
    '.br',
    `${bold('vigil -t -f')} ${italic('file')}`,
    '.SH DESCRIPTION',
    'vigil is keepalived rebuilt as an actor system.',
    'It reads keepalived.conf (see',
    '.BR vigil.conf (5)),',
    'runs its VRRP instances (VRRP v2 and v3, IPv4 and IPv6), interoperating with keepalived on the wire,',
    'runs its health checkers and keeps the kernel\'s load\\-balancing pool (IPVS, or nftables) to the healthy real servers.',
    `${bold('vigil run')} is the daemon; it stays in the foreground and logs JSON lines to standard error, as`,
    `${bold('keepalived -n -l')} would.`,
    `${bold('vigil sim')} replays failovers in a deterministic simulator, ${bold('vigil config test')} checks a file,`,
    `${bold('vigil status')} asks a running daemon for its instances.`,
    '.SH COMMANDS',
    `Global options of ${bold('vigil')}:`,
    ...tree.options.flatMap((o) => ['.TP', [o.short, o.long].filter((n): n is string => n !== undefined).map(bold).join(', '), roffText(o.description)]),
    ...commands.flatMap(commandSection),
    '.SH KEEPALIVED COMMAND LINES',
    `A command line that starts with an option is read as keepalived's: ${bold('vigil -f')} ${italic('file')} ${roffText('…')}`,
    `runs the daemon as ${bold('vigil run -f')} ${italic('file')} ${roffText('…')} (the options ${bold('-f -D -l -n -P -C -p -i')} as keepalived's),`,
    `and ${bold('vigil -t')} (or ${bold('--config-test')}) ${bold('-f')} ${italic('file')} is ${bold('vigil config test -f')} ${italic('file')}.`,
    `${bold('vigil --signum=')}${italic('NAME')} prints the number of keepalived's signal function ${italic('NAME')} (${bold('STOP')}, ${bold('RELOAD')}, ${bold('DATA')}, ${bold('STATS')}, ${bold('STATS_CLEAR')}, ${bold('JSON')}),`,
    `as ${bold('keepalived --signum')} does, for ${bold('kill -s $(vigil --signum=STATS_CLEAR) $(cat /run/vigil.pid)')}; another name is refused (exit 1).`,
    '.SH SIGNALS',
    `${bold('vigil run')} handles the signals keepalived does:`,
    '.TP',
    bold('SIGHUP'),
    'Reload the configuration. Instances that did not change keep their state and addresses;',
    'a file with errors is rejected, logged, and the running configuration stays.',
    '.TP',
    `${bold('SIGTERM')}, ${bold('SIGINT')}`,
    'Stop: masters send an advertisement with priority 0 and release their addresses, then vigil exits 0.',
    '.TP',
    bold('SIGUSR1'),
    `Write the data dump ${italic('vigil.data')} in the dump directory.`,
    '.TP',
    bold('SIGUSR2'),
    `Write the statistics dump ${italic('vigil.stats')} in the dump directory.`,
    '.TP',
    `${bold('SIGRTMAX-1')} (${bold('--signum=STATS_CLEAR')}, 63 with glibc)`,
    `Write the statistics dump ${italic('vigil.stats')}, then clear the VRRP statistics.`,
    '.TP',
    `${bold('SIGRTMIN+2')} (${bold('--signum=JSON')}, 36 with glibc)`,
    `Write the JSON dump ${italic('vigil.json')} (the daemon's status) in the dump directory.`,
    '.TP',
    bold('SIGRTMAX'),
    "keepalived's thread dump (a debugging build's): vigil has none, logs one line and runs on.",
    '.SH FILES',
    '.TP',
    italic('/etc/vigil/vigil.conf'),
    'The configuration the systemd unit runs with (a conffile of the Debian package).',
    `It includes ${italic('/etc/keepalived/keepalived.conf')} when that file exists, so switching from keepalived needs no copy.`,
    '.TP',
    italic('/etc/keepalived/keepalived.conf'),
    `keepalived's configuration, which vigil reads as it is; the default of ${bold('vigil config test')}.`,
    '.TP',
    italic('/run/vigil.pid'),
    `The pid file (${bold('-p')}), created exclusively; a stale one is replaced.`,
    '.TP',
    italic('/run/vigil/vigil.sock'),
    `The status socket that ${bold('vigil status')} reads (${bold('--status-socket')}), mode 0600.`,
    '.TP',
    italic('/run/vigil/'),
    `The dump directory (${bold('--dump-dir')}), made 0700, refused when it is a symbolic link or others may write it:`,
    `${italic('vigil.data')}, ${italic('vigil.json')}, ${italic('vigil.stats')}.`,
    '.TP',
    italic('/lib/systemd/system/vigil.service'),
    `The systemd unit (${bold('Conflicts=keepalived.service')}). The package does not enable or start it.`,
    '.SH ENVIRONMENT',
    '.TP',
    bold('VIGIL_NATIVE_TCP=0'),
    "Health checks connect with Node's sockets instead of the native addon's batched connector.",
    '.TP',
    bold('VIGIL_NATIVE_ADDON'),
    `The native addon file to load instead of the one installed with vigil. Without a loadable addon, vigil says so in`,
    'one warning line: VRRP cannot run, health checks and timers fall back to slower paths.',
    '.SH EXIT STATUS',
    '.TP',
    '0',
    'Success; the daemon stopped on SIGTERM or SIGINT; the configuration is valid; every invariant of a simulation held.',
    '.TP',
    '1',
    'The configuration has errors (with their file and line on standard error); the daemon could not start or failed;',
    'the status socket cannot be reached; a simulation broke an invariant; a command line was not understood.',
    '.TP',
    '2',
    'A scenario or a simulation option is not valid; vigil could not load a command.',
    '.SH SEE ALSO',
    '.BR vigil.conf (5),',
    '.BR keepalived (8),',
    '.BR keepalived.conf (5),',
    '.BR systemctl (1)',
  ];
  return `${lines.join('\n')}\n`;
}
