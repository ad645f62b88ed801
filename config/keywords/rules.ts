/**
 * One line of virtual_rules / static_rules, read word by word as keepalived 2.2.7 reads it (vrrp_iprule.c
 * alloc_rule): the `ip rule add` options it knows, one action (table lookup, goto, nop, blackhole, unreachable,
 * prohibit, l3mdev), and keepalived's checks of how they combine. Names and most numbers stay text here;
 * config/finalize-routes.ts resolves them. keepalived drops a rule it cannot read and carries on, so a problem is
 * a warning and the rule is skipped.
 */
import type { IpFamily } from '../../protocol/ip.js';
import { Diagnostics, positionOf } from '../diagnostics.js';
import { unsignedNumber } from '../iproute2-names.js';
import type { Rule } from '../model.js';
import type { ConfigLine } from '../reader.js';
import { prefixed } from '../values.js';
import type { Walker } from '../walker.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Options followed by one word, kept as written for finalize-routes.ts. */
const ONE_WORD = new Set(['tos', 'dsfield', 'suppress_prefixlength', 'sup_pl', 'suppress_ifgroup', 'sup_group', 'tunnel-id', 'uidrange', 'protocol', 'ipproto', 'sport', 'dport']);
/** Options that only go with a table lookup. */
const TABLE_OPTIONS = new Set(['realms', 'suppress_prefixlength', 'sup_pl', 'suppress_ifgroup', 'sup_group']);
/** keepalived's first rule priority when none is given; it counts down from there, per family. */
export const RULE_START_PRIORITY = 16384;

/** keepalived's numbering of rules without a preference: from 16384 down, per family, in reading order. */
export function rulePriorities(w: Walker): (family: IpFamily) => number {
  return (family) => RULE_START_PRIORITY - w.count(`rule priority IPv${family}`);
}

/** `from` / `to`: a prefix, or all / any / default (everything, family open). */
function prefixOf(text: string): { address?: string; prefix: number; family?: IpFamily } | undefined {
  if (text === 'default' || text === 'any' || text === 'all') return { prefix: 0 };
  // The reason goes into one warning by the caller, so the reader's own message is discarded.
  return prefixed(text, { file: '', line: 0 }, new Diagnostics(), 'rule');
}

/**
 * `nextPriority(family)` numbers the rules that give no preference, in reading order across the whole
 * configuration (static and virtual rules alike), as keepalived does.
 */
export function parseRuleLine(line: ConfigLine, d: Diagnostics, isStatic: boolean, nextPriority: (family: IpFamily) => number): Rule | undefined {
  const w = line.words;
  const skip = (why: string): undefined => {
    d.warning(line, `rule: ${why} - skipping rule`);
    return undefined;
  };
  let family: IpFamily | undefined;
  const sameFamily = (f: IpFamily): boolean => {
    if (family === undefined) family = f;
    return family === f;
  };
  const r: Mutable<Rule> = { family: 4, invert: false, noTrack: false, options: [] };
  const options: [string, string][] = [];
  /** The one action: lookup (table / lookup / l3mdev), goto, nop, blackhole, unreachable, prohibit. */
  let action: string | undefined;
  const setAction = (a: string): boolean => {
    if (action !== undefined) return false;
    action = a;
    return true;
  };
  let l3mdev = false;
  for (let i = 0; i < w.length; i++) {
    const opt = w[i]!;
    const value = w[i + 1];
    switch (opt) {
      case 'inet':
      case 'inet6':
        if (!sameFamily(opt === 'inet' ? 4 : 6)) return skip(`${opt} given for an IPv${family} rule`);
        // keepalived 2.2.7 steps over the word after inet / inet6 (it advances twice); so does vigil.
        i++;
        break;
      case 'from':
      case 'to': {
        const p = value === undefined ? undefined : prefixOf(value);
        if (!p) return skip(`invalid ${opt} address '${value ?? ''}'`);
        if (p.family !== undefined && !sameFamily(p.family)) return skip('IPv4 and IPv6 mixed');
        r[opt] = p.address === undefined ? 'all' : `${p.address}/${p.prefix}`;
        i++;
        break;
      }
      case 'table':
      case 'lookup':
        if (value === undefined) return skip(`missing ${opt} value`);
        if (!setAction('lookup')) return skip('more than one of table / goto / nop / blackhole / prohibit / unreachable / l3mdev');
        r.table = value;
        i++;
        break;
      case 'not':
        r.invert = true;
        break;
      case 'preference':
      case 'priority':
      case 'order': {
        const n = value === undefined ? undefined : unsignedNumber(value);
        if (n === undefined || n > 0xffffffff) return skip(`invalid preference '${value ?? ''}'`);
        r.preference = n;
        i++;
        break;
      }
      case 'fwmark': {
        // MARK[/MASK], each as C's strtoul(…, 0) reads it (decimal, 0x hex, 0 octal).
        const parts = value?.split('/') ?? [];
        const valid = parts.length >= 1 && parts.length <= 2 && parts.every((p) => (unsignedNumber(p) ?? Infinity) <= 0xffffffff);
        if (!valid) return skip(`invalid fwmark '${value ?? ''}'`);
        r.fwmark = value;
        i++;
        break;
      }
      case 'realms':
        if (value === undefined) return skip('missing realms value');
        if (!sameFamily(4)) return skip('realms are only for IPv4 rules');
        options.push([opt, value]);
        i++;
        break;
      case 'dev':
      case 'iif':
        if (value === undefined) return skip('missing iif value');
        r.iif = value;
        i++;
        break;
      case 'oif':
        if (value === undefined) return skip('missing oif value');
        r.oif = value;
        i++;
        break;
      case 'l3mdev':
        if (!setAction('lookup')) return skip('l3mdev given with another action');
        l3mdev = true;
        options.push([opt, '']);
        break;
      case 'no_track':
        r.noTrack = true;
        break;
      case 'track_group':
        if (!isStatic) return skip('unknown rule option track_group');
        if (value === undefined) return skip('missing track_group name');
        r.trackGroup = value;
        i++;
        break;
      default: {
        if (ONE_WORD.has(opt)) {
          if (value === undefined) return skip(`missing ${opt} value`);
          options.push([opt, value]);
          i++;
          break;
        }
        let a = opt;
        if (a === 'type') a = w[++i] ?? '';
        if (a === 'goto') {
          const target = w[i + 1] === undefined ? undefined : unsignedNumber(w[i + 1]!);
          if (target === undefined || target > 0xffffffff) return skip(`invalid goto target '${w[i + 1] ?? ''}'`);
          r.gotoTarget = target;
          i++;
        } else if (a !== 'nop' && a !== 'blackhole' && a !== 'unreachable' && a !== 'prohibit') {
          return skip(['unicast', 'local', 'nat', 'broadcast', 'brd', 'anycast', 'multicast', 'xresolve', 'throw'].includes(a) ? `invalid rule action ${a}` : `unknown rule option ${a}`);
        }
        if (!setAction(a)) return skip('more than one of table / goto / nop / blackhole / prohibit / unreachable / l3mdev');
        r.action = a;
      }
    }
  }
  if (action === 'goto') {
    if (r.preference === undefined) return skip(`goto ${r.gotoTarget} given without a preference`);
    if (r.preference >= r.gotoTarget!) return skip(`preference ${r.preference} is not below the goto target ${r.gotoTarget}`);
  }
  if (action === undefined) return skip('no action (table, goto, nop, blackhole, prohibit, unreachable or l3mdev)');
  if (action !== 'lookup' && options.some(([k]) => TABLE_OPTIONS.has(k))) return skip('realms / suppress_prefixlength / suppress_ifgroup given without a table lookup');
  if (l3mdev && r.table !== undefined) return skip('a table cannot be given with l3mdev');
  r.family = family ?? 4;
  if (r.preference === undefined) {
    r.preference = nextPriority(r.family);
    d.warning(line, `rule: no preference given - set to ${r.preference}, as keepalived does (probably not what you want)`);
  }
  r.options = options;
  r.at = positionOf(line);
  return r;
}
