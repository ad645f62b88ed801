/**
 * vigil.conf(5): the keepalived.conf dialect vigil reads. The section of what vigil does not implement is made
 * from config/not-implemented.ts, the list that config test warns from, so the page cannot drift from the program.
 */
import { NOT_IMPLEMENTED, type NotImplementedEntry } from '../config/not-implemented.js';
import { bold, italic, roffArg, roffText, titleLine } from './roff.js';
import type { PageInfo } from './man-vigil.js';

/** The reason of an entry, and the values keepalived takes by default that are accepted without a warning. */
function describe(entry: string | NotImplementedEntry): string {
  if (typeof entry === 'string') return entry;
  const defaults = entry.defaults !== undefined && entry.defaults.length > 0 ? ` (given as ${entry.defaults.join(', ')}, keepalived's default, no warning)` : '';
  return `${entry.reason}${defaults}`;
}

/** The block an entry belongs to, for the sub-headings: its first word, or "top level". */
function blockOf(key: string): string {
  const words = key.split(/[ :]/);
  return words.length > 1 && words[1] !== '' ? words[0]! : 'top level';
}

/** The NOT IMPLEMENTED section's lines: one tagged paragraph per entry of config/not-implemented.ts, by block. */
export function notImplementedSection(list: Readonly<Record<string, string | NotImplementedEntry>> = NOT_IMPLEMENTED): string[] {
  const byBlock = new Map<string, string[]>();
  for (const key of Object.keys(list)) {
    const block = blockOf(key);
    byBlock.set(block, [...(byBlock.get(block) ?? []), key]);
  }
  const out = [
    '.SH NOT IMPLEMENTED',
    'vigil reads these keywords but does not do what keepalived does with them. Each use is a warning naming the file and',
    `line (${italic('FILE:LINE: KEYWORD is accepted but not implemented by vigil')}); ${bold('--strict')} makes it an error.`,
    'A keyword is written as its path of blocks from the top level; ',
    `${italic('a|b')} is either word; after a colon come the words the line (or its block) must contain for the entry to apply,`,
    `${italic('<name>')} standing for any word. A listed block covers everything inside it.`,
  ];
  for (const [block, keys] of byBlock) {
    out.push(`.SS ${roffArg(block)}`);
    for (const key of keys) out.push('.TP', `\\fB${roffText(key)}\\fR`, roffText(describe(list[key]!)));
  }
  return out;
}

export function vigilConfManPage(info: PageInfo): string {
  const lines = [
    titleLine('vigil.conf', 5, info.date, info.version, 'File Formats'),
    '.SH NAME',
    'vigil.conf \\- the keepalived.conf dialect that vigil reads',
    '.SH SYNOPSIS',
    italic('/etc/vigil/vigil.conf'),
    '.br',
    italic('/etc/keepalived/keepalived.conf'),
    '.SH DESCRIPTION',
    `${bold('vigil')}(8) reads keepalived's configuration file as keepalived 2.2.7 does, and an existing file needs no change:`,
    `the same blocks and keywords (see ${bold('keepalived.conf')}(5)), ${bold('include')} with patterns relative to the including file,`,
    `${bold('@')}${italic('id')} conditional lines (${bold('-i')}), ${bold('$NAME=')} definitions, ${bold('~SEQ')} replication and ${bold('{ }')} anywhere on a line.`,
    `Every keyword of keepalived's grammar is either implemented (it does what keepalived does) or listed under ${bold('NOT IMPLEMENTED')} below.`,
    'An unknown keyword is a warning, as in keepalived, and its block is skipped.',
    `${bold('vigil config test -f')} ${italic('file')} checks a file and names each problem with its file and line;`,
    `${bold('vigil config dump -f')} ${italic('file')} prints it resolved, with keepalived's defaults spelled out.`,
    '.SH THE DEFAULT FILE',
    `The Debian package's unit runs ${bold('vigil run -f /etc/vigil/vigil.conf')}. That file (a conffile) includes`,
    `${italic('/etc/keepalived/keepalived.conf')} when it exists, so vigil runs what keepalived ran. Put vigil's configuration`,
    'there, or replace the include with it. With no keepalived.conf the include matches nothing (a warning) and the daemon runs with no instances.',
    '.SH WHAT VIGIL ADDS',
    '.TP',
    `${bold('lvs_backend')} ${bold('auto')}|${bold('ipvs')}|${bold('nftables')} (in ${bold('global_defs')})`,
    'Which kernel load balancer the virtual servers are programmed into: IPVS over generic netlink, or nftables.',
    `${bold('auto')} (the default) takes IPVS when the kernel has it, else nftables. With ${bold('nftables')},`,
    `${bold('vigil config test')} refuses the LVS keywords nftables cannot do (${bold('lvs_timeouts')}, ${bold('lvs_sync_daemon')}, ${bold('ops')},`,
    `${bold('persistence_engine')}, tunnel ${bold('type gue')}|${bold('gre')} and checksum options), each at its line; with ${bold('auto')},`,
    `${bold('vigil run')} names those it cannot apply in one error line at start when it chooses nftables.`,
    '.TP',
    `${bold('announce_table')} ${italic('TABLE')} (in ${bold('virtual_server')} and ${bold('vrrp_instance')} blocks)`,
    `A host route to each address of the virtual server (while its quorum is up) or of the instance (while it is MASTER) in routing table ${italic('TABLE')}`,
    `(a number from 1 to 252, or a name from ${italic('/etc/iproute2/rt_tables')}), with protocol 86, through the device ${bold('vigil-announce')},`,
    'for a BGP speaker on the host to announce (BIRD: a kernel protocol with learn; FRR: ip import-table and redistribute table).',
    'The device exists only as long as vigil runs: when vigil dies, its routes go with it. Not for fwmark virtual servers.',
    '.TP',
    `${bold('announce_device')} ${italic('NAME')} (in ${bold('global_defs')})`,
    `The device of ${bold('announce_table')}'s routes instead of ${bold('vigil-announce')} (two vigils in one network namespace need two).`,
    ...notImplementedSection(),
    '.SH SEE ALSO',
    '.BR vigil (8),',
    '.BR keepalived.conf (5)',
  ];
  return `${lines.join('\n')}\n`;
}
