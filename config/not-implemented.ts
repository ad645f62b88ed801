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
 * apply (`static_routes: vrf`, `vrrp_instance virtual_routes: vrf`): `a|b` is either
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

// keepalived's checker process has an rtnetlink address monitor and command socket of its own; vigil's checker
// side has none (it shares the VRRP side's, which vrrp_netlink_*_rcv_bufs size; IPVS goes over generic netlink).
const LVS_NETLINK_BUFS = "vigil's checker side has no rtnetlink socket of its own to size (the VRRP side's are sized by vrrp_netlink_*_rcv_bufs)";
const NO_SWAP =
  'memory is not locked: mlockall makes V8 abort when it later changes or frees locked pages (OS::SetPermissions fails): with MCL_FUTURE as soon as it protects new code pages, with MCL_CURRENT alone (with or without MCL_ONFAULT) when a worker thread ends (tried on Node 20 as root)';
// Blocked: this kernel has no CONFIG_NET_VRF (`ip link add … type vrf` fails), so nothing VRF can be built or tested.
const NO_VRF = 'blocked: VRFs need a kernel with CONFIG_NET_VRF, which the build host lacks; the route goes to its table (main unless one is given)';

export const NOT_IMPLEMENTED: Readonly<Record<string, string | NotImplementedEntry>> = {
  // Top level
  net_namespace_ipvs: "IPVS is programmed in the namespace vigil runs in (net_namespace's, or the one it was started in); no other is opened for it",
  namespace_with_ipsets: 'vigil uses no ipsets (its VIP firewall is an nftables table, and this host has no ipset): nothing to allow in a namespace',
  'static_routes: vrf': NO_VRF,

  // global_defs
  'global_defs vrrp_no_swap': NO_SWAP,
  'global_defs checker_no_swap': NO_SWAP,
  'global_defs bfd_no_swap': NO_SWAP,
  'global_defs lvs_netlink_cmd_rcv_bufs': LVS_NETLINK_BUFS,
  'global_defs lvs_netlink_cmd_rcv_bufs_force': { reason: LVS_NETLINK_BUFS, defaults: OFF },
  'global_defs lvs_netlink_monitor_rcv_bufs': LVS_NETLINK_BUFS,
  'global_defs lvs_netlink_monitor_rcv_bufs_force': { reason: LVS_NETLINK_BUFS, defaults: OFF },
  'global_defs tmp_config_directory': 'vigil makes no copy of the configuration for other processes to read (its worker threads are handed what they need): nothing goes in the directory',

  // vrrp_instance
  'vrrp_instance vrf': 'blocked: VRFs need a kernel with CONFIG_NET_VRF, which the build host lacks; advertisements and addresses are not bound to a VRF',
  'vrrp_instance virtual_routes: vrf': NO_VRF,

  // virtual_server
  'virtual_server real_server HTTP_GET|SSL_GET url regex_options: dupnames|ucp':
    'regex is a JavaScript regular expression, which has no equivalent of this PCRE2 option',
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
