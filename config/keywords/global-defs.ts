/**
 * `global_defs { ... }` and the top-level process keywords (net_namespace, instance, child_wait_time, ...), as in
 * keepalived.conf(5) "Global definitions". Field names are the keywords in camelCase; defaults are keepalived's.
 */
import { positionOf, type Diagnostics, type SourcePosition } from '../diagnostics.js';
import type { ConfigLine } from '../reader.js';
import { address, integer, integerText, word } from '../values.js';
import { parseUmask } from '../umask.js';
import { applyIncludeCheck } from '../include-check.js';
import { blockSpec, type BlockSpec, type KeywordHandler } from '../walker.js';
import {
  bool,
  camelCase,
  custom,
  flag,
  int,
  ip,
  type ModelOf,

  oneOf,
  optionalText,
  scriptSpec,
  secs,
  type Spec,
  text,
  uint,
  uints,
  withDefault,
  words,
} from './value-specs.js';

const UINT_MAX = 4294967295;

export interface SmtpServer {
  readonly host: string;
  readonly port: number;
}

/**
 * keepalived global_parser.c smtpto_handler: seconds up to UINT_MAX / TIMER_HZ; 0 is taken as 1, with a warning
 * (kept for configurations older than 2.0.7).
 */
const smtpConnectTimeout = withDefault(
  custom<number>((line, d) => {
    const seconds = integer(line, 1, 0, Math.floor(UINT_MAX / 1_000_000), d);
    if (seconds !== 0) return seconds;
    d.warning(line, 'smtp_connect_timeout must be greater than 0, setting to 1');
    return 1;
  }),
  30,
);

/** An interface name the kernel takes (IFNAMSIZ) and a shell line can carry as it is. */
const announceDevice = custom<string>((line, d) => {
  const name = word(line, 1, d, 'device name');
  if (name === undefined) return undefined;
  if (/^[A-Za-z0-9_.-]{1,15}$/.test(name) && name !== '.' && name !== '..') return name;
  d.error(line, `announce_device: '${name}' is not an interface name (1 to 15 letters, digits, '_', '.', '-')`);
  return undefined;
});

const smtpServer = custom<SmtpServer>((line, d) => {
  const host = word(line, 1, d, 'server');
  if (host === undefined) return undefined;
  const portText = line.words[2];
  const port = portText === undefined ? 25 : integerText(portText, line, 1, 65535, d, 'smtp_server port');
  return port === undefined ? undefined : { host, port };
});

export interface LvsSyncDaemon {
  readonly interface: string;
  readonly instance?: string | undefined;
  readonly id?: number | undefined;
  readonly maxlen?: number | undefined;
  readonly port?: number | undefined;
  readonly ttl?: number | undefined;
  readonly group?: string | undefined;
  readonly at?: SourcePosition | undefined;
}

/** lvs_sync_daemon IF [[inst] VRRP_INSTANCE] [id N] [maxlen N] [port N] [ttl N] [group ADDR] */
const lvsSyncDaemon = custom<LvsSyncDaemon>((line, d) => {
  const iface = word(line, 1, d, 'interface');
  if (iface === undefined) return undefined;
  const out: { -readonly [K in keyof LvsSyncDaemon]: LvsSyncDaemon[K] } = { interface: iface, at: positionOf(line) };
  const ranges: Record<string, [number, number]> = { id: [0, 255], maxlen: [1, 65507], port: [1, 65535], ttl: [1, 255] };
  for (let i = 2; i < line.words.length; i++) {
    const w = line.words[i]!;
    const value = line.words[i + 1];
    if (w === 'inst' || (i === 2 && !(w in ranges) && w !== 'group')) {
      out.instance = w === 'inst' ? value : w;
      if (w === 'inst') i++;
    } else if (w in ranges) {
      const [min, max] = ranges[w]!;
      const v = value === undefined ? undefined : integerText(value, line, min, max, d, `lvs_sync_daemon ${w}`);
      if (v === undefined) return undefined;
      if (w === 'id') out.id = v;
      else if (w === 'maxlen') out.maxlen = v;
      else if (w === 'port') out.port = v;
      else out.ttl = v;
      i++;
    } else if (w === 'group') {
      const a = address(value, line, d, 'lvs_sync_daemon group');
      if (!a) return undefined;
      out.group = a.address;
      i++;
    } else {
      d.error(line, `lvs_sync_daemon: unknown option '${w}'`);
      return undefined;
    }
  }
  return out;
});

export interface LvsTimeouts {
  readonly tcp?: number | undefined;
  readonly tcpfin?: number | undefined;
  readonly udp?: number | undefined;
  readonly at?: SourcePosition | undefined;
}

const lvsTimeouts = custom<LvsTimeouts>((line, d) => {
  const out: { tcp?: number; tcpfin?: number; udp?: number; at?: SourcePosition } = { at: positionOf(line) };
  for (let i = 1; i < line.words.length; i += 2) {
    const k = line.words[i]!;
    if (k !== 'tcp' && k !== 'tcpfin' && k !== 'udp') {
      d.error(line, `lvs_timeouts: unknown timeout '${k}'`);
      return undefined;
    }
    const v = integer(line, i + 1, 1, 86400 * 31, d, `lvs_timeouts ${k}`);
    if (v === undefined) return undefined;
    out[k] = v;
  }
  return out;
});

/** lvs_flush_on_stop [VS]: alone, flush the whole table (true); VS, delete vigil's services only (keepalived 2.2). */
const lvsFlushOnStop = custom<true | 'VS'>((line, d) => {
  const w = line.words[1];
  if (w === undefined) return true;
  if (w === 'VS') return w;
  d.error(line, `lvs_flush_on_stop: unknown type '${w}' (nothing, or VS)`);
  return undefined;
});

const userGroup = custom<{ readonly user: string; readonly group?: string | undefined; readonly at?: SourcePosition | undefined }>((line, d) => {
  const user = word(line, 1, d, 'user name');
  if (user === undefined) return undefined;
  return line.words[2] === undefined ? { user, at: positionOf(line) } : { user, group: line.words[2], at: positionOf(line) };
});

/** garp_extra_if [all] SECONDS (0 disables). */
const garpExtraIf = custom<{ readonly interval: number; readonly all: boolean }>((line, d) => {
  const all = line.words[1] === 'all';
  const v = integer(line, all ? 2 : 1, 0, 86400, d);
  return v === undefined ? undefined : { interval: v, all };
});

/** umask NUMBER|BITS (config/umask.ts). */
const umask = custom<number>((line, d) => {
  const mask = parseUmask(line.words.slice(1));
  if (typeof mask === 'number') return mask;
  d.error(line, `umask: ${mask}`);
  return undefined;
});

/** A process (thread) name: the kernel keeps 15 bytes, and keepalived says so when it truncates. */
const processName = custom<string>((line, d) => {
  const name = word(line, 1, d, 'process name');
  if (name === undefined) return undefined;
  if (Buffer.byteLength(name) > 15) {
    d.warning(line, `${line.words[0]}: process name ${name} more than 15 characters, truncating`);
    return Buffer.from(name).subarray(0, 15).toString();
  }
  return name;
});

/** include_check [[+|-]read|match|wildcard_match|brace_match …]: applied by the reader (config/include-check.ts). */
const includeCheck = custom<string[]>((line, d) => {
  for (const problem of applyIncludeCheck(0, line.words.slice(1)).problems) d.error(line, `include_check: ${problem}`);
  return line.words.slice(1);
});

const maxAutoPriority = custom<number>((line, d) => (line.words[1] === undefined ? 99 : integer(line, 1, -1, 99, d)));

const dynamicInterfaces = custom<'allow_if_changes' | true>((line, d) => {
  const w = line.words[1];
  if (w === undefined) return true;
  if (w === 'allow_if_changes') return w;
  d.error(line, `dynamic_interfaces: unknown option '${w}'`);
  return undefined;
});

/**
 * keepalived built without iptables (Debian's 2.2.7) reads vrrp_iptables as nftables and does not know vrrp_ipsets;
 * both fail `keepalived -t`. This host has no iptables: vigil's VIP firewall is nftables either way.
 */
const firewallNote = (keyword: string, what: string) =>
  custom<string[]>((line, d) => {
    d.warning(line, `${keyword}: ${what} not used - the VIP firewall is an nftables table; use 'nftables'`);
    return line.words.slice(1);
  });

/** The keywords of global_defs with how each is read. */
export const GLOBAL_KEYWORDS = {
  process_names: flag,
  process_name: processName,
  vrrp_process_name: processName,
  checker_process_name: processName,
  bfd_process_name: processName,
  router_id: text,
  notification_email_from: text,
  smtp_server: smtpServer,
  smtp_helo_name: text,
  smtp_connect_timeout: smtpConnectTimeout,
  smtp_alert: bool,
  smtp_alert_vrrp: bool,
  smtp_alert_checker: bool,
  checker_log_all_failures: bool,
  startup_script: scriptSpec,
  startup_script_timeout: withDefault(uint(1, 1000), 10),
  shutdown_script: scriptSpec,
  shutdown_script_timeout: withDefault(uint(1, 1000), 10),
  max_auto_priority: maxAutoPriority,
  min_auto_priority_delay: uint(1, 10_000_000),
  dynamic_interfaces: dynamicInterfaces,
  no_email_faults: flag,
  default_interface: withDefault(text, 'eth0'),
  disable_local_igmp: flag,
  lvs_timeouts: lvsTimeouts,
  lvs_flush: flag,
  lvs_flush_on_stop: lvsFlushOnStop,
  // vigil's own: which kernel load balancer to program (IPVS when the kernel has it, else nftables).
  lvs_backend: withDefault(oneOf(['auto', 'ipvs', 'nftables']), 'auto'),
  // vigil's own: the TUN device announce_table's routes go through (one per vigil in a network namespace).
  announce_device: withDefault(announceDevice, 'vigil-announce'),
  lvs_sync_daemon: lvsSyncDaemon,
  vrrp_mcast_group4: withDefault(ip, '224.0.0.18'),
  vrrp_mcast_group6: withDefault(ip, 'ff02::12'),
  vrrp_garp_master_delay: withDefault(uint(0, UINT_MAX / 1e6), 5),
  vrrp_garp_master_repeat: withDefault(uint(0, UINT_MAX), 5),
  vrrp_garp_master_refresh: withDefault(uint(0, UINT_MAX / 1e6), 0),
  vrrp_garp_master_refresh_repeat: withDefault(uint(0, UINT_MAX), 1),
  vrrp_garp_lower_prio_delay: uint(0, UINT_MAX / 1e6),
  vrrp_garp_lower_prio_repeat: uint(0, UINT_MAX),
  vrrp_down_timer_adverts: withDefault(uint(1, 100), 3),
  vrrp_garp_interval: secs(0, 1),
  vrrp_gna_interval: secs(0, 1),
  vrrp_min_garp: bool,
  vrrp_garp_extra_if: garpExtraIf,
  vrrp_lower_prio_no_advert: bool,
  vrrp_higher_prio_send_advert: bool,
  vrrp_version: withDefault(custom<2 | 3>((line, d) => integer(line, 1, 2, 3, d) as 2 | 3 | undefined), 2),
  vrrp_iptables: firewallNote('vrrp_iptables', 'iptables is'),
  vrrp_ipsets: firewallNote('vrrp_ipsets', 'ipsets are'),
  nftables: optionalText,
  nftables_priority: int(-2147483648, 2147483647),
  nftables_ifindex: flag,
  nftables_ipvs: optionalText,
  nftables_ipvs_priority: int(-2147483648, 2147483647),
  nftables_ipvs_start_fwmark: uint(1, UINT_MAX),
  nftables_counters: flag,
  vrrp_check_unicast_src: flag,
  vrrp_skip_check_adv_addr: flag,
  vrrp_strict: flag,
  vrrp_priority: int(-20, 19),
  vrrp_no_swap: flag,
  vrrp_rt_priority: uint(1, 99),
  vrrp_cpu_affinity: uints(0, 4095),
  vrrp_rlimit_rttime: uint(1, UINT_MAX),
  notify_fifo: scriptSpec,
  notify_fifo_script: scriptSpec,
  vrrp_notify_fifo: scriptSpec,
  vrrp_notify_fifo_script: scriptSpec,
  vrrp_notify_priority_changes: bool,
  fifo_write_vrrp_states_on_reload: flag,
  lvs_notify_fifo: scriptSpec,
  lvs_notify_fifo_script: scriptSpec,
  checker_priority: int(-20, 19),
  checker_no_swap: flag,
  checker_rt_priority: uint(1, 99),
  checker_cpu_affinity: uints(0, 4095),
  checker_rlimit_rttime: uint(1, UINT_MAX),
  bfd_priority: int(-20, 19),
  bfd_no_swap: flag,
  bfd_rt_priority: uint(1, 99),
  bfd_cpu_affinity: uints(0, 4095),
  bfd_rlimit_rttime: uint(1, UINT_MAX),
  snmp_socket: text,
  enable_traps: flag,
  enable_snmp_vrrp: flag,
  enable_snmp_rfc: flag,
  enable_snmp_rfcv2: flag,
  enable_snmp_rfcv3: flag,
  enable_snmp_checker: flag,
  enable_dbus: flag,
  dbus_service_name: text,
  script_user: userGroup,
  enable_script_security: flag,
  vrrp_netlink_cmd_rcv_bufs: uint(0, UINT_MAX),
  vrrp_netlink_cmd_rcv_bufs_force: bool,
  vrrp_netlink_monitor_rcv_bufs: uint(0, UINT_MAX),
  vrrp_netlink_monitor_rcv_bufs_force: bool,
  process_monitor_rcv_bufs: uint(0, UINT_MAX),
  process_monitor_rcv_bufs_force: bool,
  lvs_netlink_cmd_rcv_bufs: uint(0, UINT_MAX),
  lvs_netlink_cmd_rcv_bufs_force: bool,
  lvs_netlink_monitor_rcv_bufs: uint(0, UINT_MAX),
  lvs_netlink_monitor_rcv_bufs_force: bool,
  rs_init_notifies: withDefault(bool, false),
  no_checker_emails: flag,
  vrrp_rx_bufs_policy: text,
  vrrp_rx_bufs_multiplier: withDefault(uint(1, UINT_MAX), 3),
  vrrp_startup_delay: secs(0, 1000),
  log_unknown_vrids: flag,
  vmac_prefix: withDefault(text, 'vrrp'),
  vmac_addr_prefix: text,
  umask,
  random_seed: uint(0, UINT_MAX),
  reload_check_config: optionalText,
  reload_time_file: text,
  reload_repeat: flag,
  reload_file: optionalText,
  include_check: includeCheck,
  config_save_dir: text,
  tmp_config_directory: text,
  data_use_instance: bool,
  // Top-level keywords (outside global_defs) kept with the global settings.
  linkbeat_use_polling: flag,
  net_namespace: text,
  net_namespace_ipvs: optionalText,
  namespace_with_ipsets: flag,
  use_pid_dir: flag,
  instance: text,
  child_wait_time: withDefault(uint(0, UINT_MAX), 5),
} satisfies Record<string, Spec<unknown>>;

/** Keywords accepted at the top level rather than inside global_defs. */
export const ROOT_GLOBAL_KEYWORDS = [
  'linkbeat_use_polling',
  'net_namespace',
  'net_namespace_ipvs',
  'namespace_with_ipsets',
  'use_pid_dir',
  'instance',
  'child_wait_time',
] as const;

/** Deprecated spellings keepalived still reads. */
export const GLOBAL_ALIASES: Readonly<Record<string, string>> = {
  lvs_process_name: 'checker_process_name',
  lvs_flush_onstop: 'lvs_flush_on_stop',
  vrrp_vmac_garp_intvl: 'vrrp_garp_extra_if',
  vrrp_rlimit_rtime: 'vrrp_rlimit_rttime',
  checker_rlimit_rtime: 'checker_rlimit_rttime',
  bfd_rlimit_rtime: 'bfd_rlimit_rttime',
  enable_snmp_keepalived: 'enable_snmp_vrrp',
};

export type GlobalDefs = ModelOf<typeof GLOBAL_KEYWORDS> & {
  readonly notificationEmail: readonly string[];
};

type MutableRecord = Record<string, unknown>;

export function defaultGlobalDefs(): GlobalDefs {
  const out: MutableRecord = { notificationEmail: [] };
  for (const [keyword, spec] of Object.entries(GLOBAL_KEYWORDS)) {
    if ('default' in spec) out[camelCase(keyword)] = spec.default;
  }
  return out as unknown as GlobalDefs;
}

function valueHandler(keyword: string, spec: Spec<unknown>, deprecatedAs?: string): KeywordHandler<GlobalDefs> {
  const field = camelCase(keyword);
  return (target, line, walker) => {
    if (deprecatedAs !== undefined) walker.diagnostics.warning(line, `'${line.words[0]}' is deprecated - use '${deprecatedAs}'`);
    const value = spec.read(line, walker.diagnostics);
    if (value !== undefined) (target as unknown as MutableRecord)[field] = value;
  };
}

function emailHandler(target: GlobalDefs, line: ConfigLine, walker: { lines(opener: ConfigLine, each: (l: ConfigLine) => void): void; readonly diagnostics: Diagnostics }): void {
  const emails = [...target.notificationEmail];
  walker.lines(line, (l) => emails.push(...l.words));
  (target as unknown as MutableRecord)['notificationEmail'] = emails;
}

function buildGlobalSpec(): BlockSpec<GlobalDefs> {
  const handlers: Record<string, KeywordHandler<GlobalDefs>> = {};
  for (const [keyword, spec] of Object.entries(GLOBAL_KEYWORDS)) {
    if ((ROOT_GLOBAL_KEYWORDS as readonly string[]).includes(keyword)) continue;
    handlers[keyword] = valueHandler(keyword, spec);
  }
  for (const [alias, keyword] of Object.entries(GLOBAL_ALIASES)) {
    handlers[alias] = valueHandler(keyword, GLOBAL_KEYWORDS[keyword as keyof typeof GLOBAL_KEYWORDS], keyword);
  }
  handlers['notification_email'] = emailHandler;
  return blockSpec('global_defs', handlers);
}

export const GLOBAL_DEFS_SPEC = buildGlobalSpec();

/** Handlers for the top-level process keywords, applied to the global settings. */
export const ROOT_GLOBAL_HANDLERS: Readonly<Record<string, KeywordHandler<GlobalDefs>>> = Object.fromEntries(
  ROOT_GLOBAL_KEYWORDS.map((k) => [k, valueHandler(k, GLOBAL_KEYWORDS[k])]),
);

