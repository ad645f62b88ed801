/**
 * The one list of what vigil reads in a keepalived.conf but does not do, each with its reason. Every use of a
 * listed keyword is a warning, `FILE:LINE: KEYWORD is accepted but not implemented by vigil` (`--strict` makes it
 * an error), so a file never silently means less under vigil than under keepalived. Every other keyword of the
 * grammar is in config/implemented.ts with the evidence that the runtime acts on it. test/config/
 * keyword-coverage.test.ts holds the two lists to the grammar; test/config/not-implemented.test.ts holds the
 * README's table to this list.
 *
 * A key is the keyword's path from the top level, as it is nested in keepalived.conf (`vrrp_sync_group
 * track_interface`; top-level keywords alone: `bfd_instance`). A listed block covers everything inside it. After a
 * colon come words that the keyword's own line, or a line of its `{ }` value block, must contain for the entry to
 * apply (`virtual_server lb_algo|lvs_sched: twos`, `vrrp_instance virtual_routes: vrf`): `a|b` is either
 * word, `<name>` any word, and `when` narrows further. Given with keepalived's default value (`defaults`), a
 * keyword means what leaving it out means, and is not warned about (`config dump` spells defaults out). Adding
 * or removing an entry is one line.
 */
import type { Diagnostics } from './diagnostics.js';
import type { ConfigLine } from './reader.js';
import type { KeywordObserver } from './walker.js';

export interface NotImplementedEntry {
  readonly reason: string;
  /** Whether the entry applies to these matched words (one per pattern word), on this line. */
  readonly when?: (matched: readonly string[], line: readonly string[]) => boolean;
  /** Values that are keepalived's default: the keyword given with one of them is not warned about. */
  readonly defaults?: readonly string[];
}

const OFF = ['off', 'false', 'no'];

// The session machine, codec, link and node exist (actors/bfd/); nothing starts them in `vigil run` yet.
const BFD = 'BFD sessions exist (actors/bfd/) but the daemon does not run them, and track_bfd / BFD_CHECK do not act yet';
const SNMP = 'SNMP is not implemented';
const DBUS = 'D-Bus is not implemented';
const EMAIL = 'email alerts are not implemented';
// keepalived's checker process has an rtnetlink address monitor and command socket of its own; vigil's checker
// side has none (it shares the VRRP side's, which vrrp_netlink_*_rcv_bufs size; IPVS goes over generic netlink).
const LVS_NETLINK_BUFS = "vigil's checker side has no rtnetlink socket of its own to size (the VRRP side's are sized by vrrp_netlink_*_rcv_bufs)";
// Blocked: this kernel has no CONFIG_NET_VRF (`ip link add … type vrf` fails), so nothing VRF can be built or tested.
const NO_VRF = 'blocked: VRFs need a kernel with CONFIG_NET_VRF, which the build host lacks; the route goes to its table (main unless one is given)';

export const NOT_IMPLEMENTED: Readonly<Record<string, string | NotImplementedEntry>> = {
  // Top level
  net_namespace: 'vigil runs in the network namespace it is started in',
  net_namespace_ipvs: 'vigil runs in the network namespace it is started in',
  namespace_with_ipsets: 'vigil runs in the network namespace it is started in',
  use_pid_dir: 'the pid file is the one given with -p',
  instance: 'instance names (for pid files and data_use_instance) are not implemented',
  child_wait_time: { reason: 'vigil has no child processes to wait for at shutdown', defaults: ['5'] },
  'static_routes: vrf': NO_VRF,
  bfd_instance: BFD,

  // global_defs
  'global_defs process_names': 'vigil is one process; its threads are not renamed',
  'global_defs process_name': 'vigil is one process; its threads are not renamed',
  'global_defs vrrp_process_name': 'vigil is one process; its threads are not renamed',
  'global_defs checker_process_name': 'vigil is one process; its threads are not renamed',
  'global_defs lvs_process_name': 'vigil is one process; its threads are not renamed',
  'global_defs bfd_process_name': BFD,
  'global_defs router_id': 'it only names the machine in email alerts and SNMP, which vigil does not have',
  'global_defs notification_email': EMAIL,
  'global_defs notification_email_from': EMAIL,
  'global_defs smtp_server': EMAIL,
  'global_defs smtp_helo_name': EMAIL,
  'global_defs smtp_connect_timeout': { reason: EMAIL, defaults: ['30'] },
  'global_defs smtp_alert': { reason: EMAIL, defaults: OFF },
  'global_defs smtp_alert_vrrp': { reason: EMAIL, defaults: OFF },
  'global_defs smtp_alert_checker': { reason: EMAIL, defaults: OFF },
  'global_defs no_email_faults': EMAIL,
  'global_defs no_checker_emails': EMAIL,
  'global_defs checker_log_all_failures': { reason: 'checkers log their state changes, not every failed check', defaults: OFF },
  'global_defs max_auto_priority': 'realtime priority comes only from vrrp_rt_priority and checker_rt_priority',
  'global_defs min_auto_priority_delay': 'realtime priority comes only from vrrp_rt_priority and checker_rt_priority',
  'global_defs nftables_ipvs': 'IPVS services are programmed directly; no nftables fwmark rules are made for them',
  'global_defs nftables_ipvs_priority': 'IPVS services are programmed directly; no nftables fwmark rules are made for them',
  'global_defs nftables_ipvs_start_fwmark': 'IPVS services are programmed directly; no nftables fwmark rules are made for them',
  'global_defs vrrp_no_swap': 'memory is not locked',
  'global_defs vrrp_cpu_affinity': 'threads are not pinned to CPUs',
  'global_defs checker_no_swap': 'memory is not locked',
  'global_defs checker_cpu_affinity': 'threads are not pinned to CPUs',
  'global_defs bfd_priority': BFD,
  'global_defs bfd_no_swap': BFD,
  'global_defs bfd_rt_priority': BFD,
  'global_defs bfd_cpu_affinity': BFD,
  'global_defs bfd_rlimit_rttime': BFD,
  'global_defs bfd_rlimit_rtime': BFD,
  'global_defs snmp_socket': SNMP,
  'global_defs enable_traps': SNMP,
  'global_defs enable_snmp_vrrp': SNMP,
  'global_defs enable_snmp_keepalived': SNMP,
  'global_defs enable_snmp_rfc': SNMP,
  'global_defs enable_snmp_rfcv2': SNMP,
  'global_defs enable_snmp_rfcv3': SNMP,
  'global_defs enable_snmp_checker': SNMP,
  'global_defs enable_dbus': DBUS,
  'global_defs dbus_service_name': DBUS,
  'global_defs lvs_netlink_cmd_rcv_bufs': LVS_NETLINK_BUFS,
  'global_defs lvs_netlink_cmd_rcv_bufs_force': { reason: LVS_NETLINK_BUFS, defaults: OFF },
  'global_defs lvs_netlink_monitor_rcv_bufs': LVS_NETLINK_BUFS,
  'global_defs lvs_netlink_monitor_rcv_bufs_force': { reason: LVS_NETLINK_BUFS, defaults: OFF },
  'global_defs rs_init_notifies': "real servers' first state is not notified",
  'global_defs umask': "files are created with the process's umask",
  'global_defs random_seed': 'the random generator is not seeded from the configuration',
  'global_defs reload_check_config': 'a reload is checked in the daemon itself; no separate check is run',
  'global_defs reload_time_file': 'reloads happen on SIGHUP only',
  'global_defs reload_repeat': 'reloads happen on SIGHUP only',
  'global_defs reload_file': 'reloads happen on SIGHUP only',
  'global_defs include_check': 'included files are not watched',
  'global_defs config_save_dir': 'configurations are not saved',
  'global_defs tmp_config_directory': 'configurations are not saved',
  'global_defs data_use_instance': { reason: 'instance names (for pid files and data_use_instance) are not implemented', defaults: OFF },

  // vrrp_sync_group
  'vrrp_sync_group track_bfd': BFD,
  'vrrp_sync_group smtp_alert': { reason: EMAIL, defaults: OFF },

  // vrrp_instance
  'vrrp_instance vrf': 'blocked: VRFs need a kernel with CONFIG_NET_VRF, which the build host lacks; advertisements and addresses are not bound to a VRF',
  'vrrp_instance virtual_routes: vrf': NO_VRF,
  'vrrp_instance track_bfd': BFD,
  'vrrp_instance smtp_alert': { reason: EMAIL, defaults: OFF },

  // virtual_server
  'virtual_server smtp_alert': { reason: EMAIL, defaults: OFF },
  'virtual_server snmp_name': SNMP,
  'virtual_server lb_algo|lvs_sched: twos': 'the twos scheduler is programmed as wlc',
  'virtual_server real_server smtp_alert': { reason: EMAIL, defaults: OFF },
  'virtual_server real_server snmp_name': SNMP,
  'virtual_server real_server TCP_CHECK|HTTP_GET|SSL_GET|SMTP_CHECK|DNS_CHECK|UDP_CHECK|PING_CHECK bind_if': "the checker's socket is not bound to the interface",
  'virtual_server real_server TCP_CHECK|HTTP_GET|SSL_GET|SMTP_CHECK|DNS_CHECK|UDP_CHECK|PING_CHECK fwmark': "the checker's packets are not marked",
  'virtual_server real_server TCP_CHECK|HTTP_GET|SSL_GET|SMTP_CHECK|DNS_CHECK|UDP_CHECK|PING_CHECK|MISC_CHECK log_all_failures': { reason: 'checkers log their state changes, not every failed check', defaults: OFF },
  'virtual_server real_server HTTP_GET|SSL_GET fast_recovery': { reason: 'a failed real server needs its full retries to come back', defaults: OFF },
  'virtual_server real_server HTTP_GET|SSL_GET url regex_options': 'regex is a JavaScript regular expression without PCRE options',
  'virtual_server real_server HTTP_GET|SSL_GET url regex_min_offset': 'regex is matched against the whole body',
  'virtual_server real_server HTTP_GET|SSL_GET url regex_max_offset': 'regex is matched against the whole body',
  'virtual_server real_server HTTP_GET|SSL_GET url regex_stack': 'regex is a JavaScript regular expression; PCRE stack sizes do not apply',
  'virtual_server real_server SMTP_CHECK host bind_if': "the checker's socket is not bound to the interface",
  'virtual_server real_server SMTP_CHECK host fwmark': "the checker's packets are not marked",
  'virtual_server real_server FILE_CHECK dynamic': "the file's value does not change the real server's weight",
  'virtual_server real_server BFD_CHECK': BFD,
};

/** An entry's key read: the keyword path and the words after the colon (alternatives split at `|`). */
export interface NotImplementedKey {
  readonly path: readonly (readonly string[])[];
  readonly pattern: readonly (readonly string[])[];
}

export function parseNotImplementedKey(key: string): NotImplementedKey {
  const colon = key.indexOf(':');
  const words = (text: string): string[][] =>
    text
      .trim()
      .split(/\s+/)
      .filter((w) => w !== '')
      .map((w) => w.split('|'));
  return { path: words(colon < 0 ? key : key.slice(0, colon)), pattern: colon < 0 ? [] : words(key.slice(colon + 1)) };
}

interface Compiled extends NotImplementedKey {
  readonly entry: NotImplementedEntry;
}

const compiled: readonly Compiled[] = Object.entries(NOT_IMPLEMENTED).map(([key, value]) => ({
  ...parseNotImplementedKey(key),
  entry: typeof value === 'string' ? { reason: value } : value,
}));

/** Entries by the last word of their path: the walker asks for every keyword, and few keywords are listed. */
const byKeyword = new Map<string, Compiled[]>();
for (const c of compiled) for (const k of c.path[c.path.length - 1]!) byKeyword.set(k, [...(byKeyword.get(k) ?? []), c]);

function pathMatches(c: Compiled, path: readonly string[]): boolean {
  return c.path.length === path.length && c.path.every((alternatives, i) => alternatives.includes(path[i]!));
}

const isPlaceholder = (word: string): boolean => word.startsWith('<') && word.endsWith('>');

/**
 * The uses of the entry's pattern in `words` (from `from` on), as the words matched: each distinct option word
 * is a use of its own (`nexthop … proto` is two); a pattern with a placeholder is used once per line.
 */
function patternMatches(c: Compiled, words: readonly string[], from: number): string[][] {
  const out: string[][] = [];
  const once = c.pattern.some((alternatives) => alternatives.some(isPlaceholder));
  for (let i = from; i + c.pattern.length <= words.length; i++) {
    const matched: string[] = [];
    for (let j = 0; j < c.pattern.length; j++) {
      const word = words[i + j]!;
      if (!c.pattern[j]!.some((a) => a === word || isPlaceholder(a))) break;
      matched.push(word);
    }
    if (matched.length !== c.pattern.length || !(c.entry.when?.(matched, words) ?? true)) continue;
    if (!out.some((m) => m.join(' ') === matched.join(' '))) out.push(matched);
    if (once) break;
    i += matched.length - 1;
  }
  return out;
}

function warn(d: Diagnostics, line: ConfigLine, words: readonly string[]): void {
  d.warning(line, `${words.join(' ')} is accepted but not implemented by vigil`);
}

/** The walker's observer that warns once per use of a listed keyword (or of a listed option on a line). */
export function notImplementedObserver(d: Diagnostics): KeywordObserver {
  return {
    keyword(path, line) {
      for (const c of byKeyword.get(path[path.length - 1]!) ?? []) {
        if (!pathMatches(c, path)) continue;
        if (c.pattern.length === 0) {
          const value = line.words[1];
          const isDefault = value !== undefined && (c.entry.defaults?.includes(value) ?? false);
          if (!isDefault && (c.entry.when?.([], line.words) ?? true)) warn(d, line, path);
          continue;
        }
        for (const matched of patternMatches(c, line.words, 1)) warn(d, line, [...path, ...matched]);
      }
    },
    valueLine(path, line) {
      for (const c of byKeyword.get(path[path.length - 1]!) ?? []) {
        if (c.pattern.length === 0 || !pathMatches(c, path)) continue;
        for (const matched of patternMatches(c, line.words, 0)) warn(d, line, [...path, ...matched]);
      }
    },
  };
}
