/**
 * `virtual_server IP [PORT] | fwmark N | group NAME { ... }` with its `real_server IP [PORT] { ... }` blocks,
 * `sorry_server` and checkers (keepalived.conf(5), "Virtual server(s)"). Inherited values (retry, timeouts,
 * weights, lb_kind) are resolved in finalize-lvs.ts.
 */
import type { IpFamily } from '../../protocol/ip.js';
import type { SourcePosition } from '../diagnostics.js';
import type { CheckerType, Forwarding, LvsScheduler, Script, VirtualServerAddress } from '../model.js';
import type { ConfigLine } from '../reader.js';
import { address, boolean, integer, integerText, script, seconds, word } from '../values.js';
import { blockSpec, type KeywordHandler, type Walker } from '../walker.js';
import { CHECKER_SPECS, CHECKER_TYPES, newCheckerDraft, type CheckerDraft } from './checkers.js';
import { parseForwarding } from './forwarding.js';
import { announceTableHandler, type AnnounceDraft } from './announce.js';

const WEIGHT_LIMIT = 2147483647;

/**
 * Appends to a list that is usually short (checkers of a real server, real servers of a virtual server): a copy
 * of exactly the right size while short, since a pushed-to array reserves 16 slots, and tens of thousands of
 * them make up much of a large configuration's memory.
 */
function append<T>(list: T[], item: T): T[] {
  if (list.length >= 8) {
    list.push(item);
    return list;
  }
  const out = new Array<T>(list.length + 1);
  for (let i = 0; i < list.length; i++) out[i] = list[i]!;
  out[list.length] = item;
  return out;
}

/** Timer keywords shared by virtual and real servers. */
interface TimerDraft {
  retry?: number | undefined;
  delayBeforeRetry?: number | undefined;
  warmup?: number | undefined;
  connectTimeout?: number | undefined;
  delayLoop?: number | undefined;
  inhibitOnFailure?: boolean | undefined;
  alpha?: boolean | undefined;
  smtpAlert?: boolean | undefined;
  virtualhost?: string | undefined;
  snmpName?: string | undefined;
}

export interface RealServerDraft extends TimerDraft {
  readonly at: SourcePosition;
  readonly ip: string;
  readonly port: number;
  readonly family: IpFamily;
  weight?: number | undefined;
  forwarding?: Forwarding | undefined;
  notifyUp?: Script | undefined;
  notifyDown?: Script | undefined;
  uthreshold?: number | undefined;
  lthreshold?: number | undefined;
  checkers: CheckerDraft[];
}

export interface SorryServerDraft {
  readonly ip: string;
  readonly port: number;
  readonly family: IpFamily;
}

export interface VirtualServerDraft extends TimerDraft, AnnounceDraft {
  readonly at: ConfigLine;
  readonly address: VirtualServerAddress;
  family?: IpFamily | undefined;
  protocol?: 'TCP' | 'UDP' | 'SCTP' | undefined;
  lbAlgo?: LvsScheduler | undefined;
  forwarding?: Forwarding | undefined;
  schedulerFlags: string[];
  persistenceTimeout?: number | undefined;
  persistenceGranularity?: string | undefined;
  persistenceEngine?: string | undefined;
  haSuspend: boolean;
  omega: boolean;
  quorum: number;
  hysteresis: number;
  quorumUp?: Script | undefined;
  quorumDown?: Script | undefined;
  ipFamily?: 'inet' | 'inet6' | undefined;
  sorryServer?: SorryServerDraft | undefined;
  sorryServerInhibit: boolean;
  sorryServerForwarding?: Forwarding | undefined;
  weight?: number | undefined;
  realServers: RealServerDraft[];
}

const SCHEDULERS: readonly LvsScheduler[] = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'sh', 'mh', 'dh', 'fo', 'ovf', 'lblcr', 'sed', 'nq', 'twos'];
const SCHEDULER_FLAGS = ['hashed', 'ops', 'flag-1', 'flag-2', 'flag-3', 'sh-port', 'sh-fallback', 'mh-port', 'mh-fallback'];

/** `IP [PORT]` of virtual_server, real_server and sorry_server; no port means 0 (persistent services). */
export function parseServerAddress(line: ConfigLine, d: Walker['diagnostics']): { ip: string; port: number; family: IpFamily } | undefined {
  const a = address(line.words[1], line, d, line.words[0]!);
  if (!a) return undefined;
  const portText = line.words[2];
  const port = portText === undefined ? 0 : integerText(portText, line, 0, 65535, d, `${line.words[0]} port`);
  if (port === undefined) return undefined;
  return { ip: a.address, port, family: a.family };
}

function timerHandlers<T extends TimerDraft>(): Record<string, KeywordHandler<T>> {
  return {
    retry: (t, line, w) => {
      const n = integer(line, 1, 0, 4294967295, w.diagnostics);
      if (n !== undefined) t.retry = n;
    },
    delay_before_retry: (t, line, w) => {
      const s = seconds(line, 1, 0, 4294, w.diagnostics);
      if (s !== undefined) t.delayBeforeRetry = s;
    },
    warmup: (t, line, w) => {
      const s = seconds(line, 1, 0, 4294, w.diagnostics);
      if (s !== undefined) t.warmup = s;
    },
    connect_timeout: (t, line, w) => {
      const s = seconds(line, 1, 0.000001, 4294, w.diagnostics);
      if (s !== undefined) t.connectTimeout = s;
    },
    delay_loop: (t, line, w) => {
      const s = seconds(line, 1, 0.000001, 4294, w.diagnostics);
      if (s !== undefined) t.delayLoop = s;
    },
    inhibit_on_failure: (t, line, w) => {
      const b = boolean(line, 1, w.diagnostics);
      if (b !== undefined) t.inhibitOnFailure = b;
    },
    alpha: (t, line, w) => {
      const b = boolean(line, 1, w.diagnostics);
      if (b !== undefined) t.alpha = b;
    },
    smtp_alert: (t, line, w) => {
      const b = boolean(line, 1, w.diagnostics);
      if (b !== undefined) t.smtpAlert = b;
    },
    virtualhost: (t, line, w) => {
      const h = word(line, 1, w.diagnostics, 'host name');
      if (h !== undefined) t.virtualhost = h;
    },
    snmp_name: (t, line, w) => {
      const n = word(line, 1, w.diagnostics, 'name');
      if (n !== undefined) t.snmpName = n;
    },
  };
}

const checkerHandlers: Record<string, KeywordHandler<RealServerDraft>> = Object.fromEntries(
  CHECKER_TYPES.map((type: CheckerType) => [
    type,
    (rs: RealServerDraft, line: ConfigLine, w: Walker) => {
      const c = newCheckerDraft(type, line);
      w.block(c, CHECKER_SPECS[type], line);
      rs.checkers = append(rs.checkers, c);
    },
  ]),
);

const REAL_SERVER_SPEC = blockSpec<RealServerDraft>('real_server', {
  ...timerHandlers<RealServerDraft>(),
  weight: (rs, line, w) => {
    const n = integer(line, 1, 0, WEIGHT_LIMIT, w.diagnostics);
    if (n !== undefined) rs.weight = n;
  },
  lvs_method: (rs, line, w) => {
    const f = parseForwarding(line, w.diagnostics);
    if (f) rs.forwarding = f;
  },
  uthreshold: (rs, line, w) => {
    const n = integer(line, 1, 0, 4294967295, w.diagnostics);
    if (n !== undefined) rs.uthreshold = n;
  },
  lthreshold: (rs, line, w) => {
    const n = integer(line, 1, 0, 4294967295, w.diagnostics);
    if (n !== undefined) rs.lthreshold = n;
  },
  notify_up: (rs, line, w) => {
    const s = script(line, 1, w.diagnostics);
    if (s) rs.notifyUp = s;
  },
  notify_down: (rs, line, w) => {
    const s = script(line, 1, w.diagnostics);
    if (s) rs.notifyDown = s;
  },
  ...checkerHandlers,
}, CHECKER_SPECS);

type VH = KeywordHandler<VirtualServerDraft>;

const flagHandler: VH = (vs, line) => {
  if (!vs.schedulerFlags.includes(line.words[0]!)) vs.schedulerFlags.push(line.words[0]!);
};

const lbAlgo: VH = (vs, line, w) => {
  const s = word(line, 1, w.diagnostics, 'scheduler');
  if (s === undefined) return;
  const found = SCHEDULERS.find((x) => x === s);
  if (found) vs.lbAlgo = found;
  else w.diagnostics.error(line, `${line.words[0]}: unknown scheduler '${s}' (one of ${SCHEDULERS.join('|')})`);
};

const forwarding: VH = (vs, line, w) => {
  const f = parseForwarding(line, w.diagnostics);
  if (f) vs.forwarding = f;
};

export const VIRTUAL_SERVER_SPEC = blockSpec<VirtualServerDraft>('virtual_server', {
  ...timerHandlers<VirtualServerDraft>(),
  ip_family: (vs, line, w) => {
    const f = word(line, 1, w.diagnostics, 'family');
    if (f !== 'inet' && f !== 'inet6') {
      if (f !== undefined) w.diagnostics.error(line, `ip_family: '${f}' is not inet or inet6`);
      return;
    }
    const family = f === 'inet' ? 4 : 6;
    if (vs.family !== undefined && vs.family !== family) {
      w.diagnostics.error(line, `ip_family: ${f} conflicts with the virtual server's address family`);
      return;
    }
    vs.ipFamily = f;
    vs.family = family;
  },
  lb_algo: lbAlgo,
  lvs_sched: lbAlgo,
  ...Object.fromEntries(SCHEDULER_FLAGS.map((f) => [f, flagHandler])),
  lb_kind: forwarding,
  lvs_method: forwarding,
  persistence_engine: (vs, line, w) => {
    const e = word(line, 1, w.diagnostics, 'engine name');
    if (e !== undefined) vs.persistenceEngine = e;
  },
  persistence_timeout: (vs, line, w) => {
    if (line.words[1] === undefined) {
      vs.persistenceTimeout = 360;
      return;
    }
    const n = integer(line, 1, 1, 2678400, w.diagnostics);
    if (n !== undefined) vs.persistenceTimeout = n;
  },
  persistence_granularity: (vs, line, w) => {
    const g = word(line, 1, w.diagnostics, 'netmask');
    if (g === undefined) return;
    const v6 = vs.family === 6 || (vs.family === undefined && !g.includes('.'));
    if (v6 ? integerText(g, line, 1, 128, w.diagnostics, 'persistence_granularity') === undefined : address(g, line, w.diagnostics, 'persistence_granularity') === undefined) return;
    vs.persistenceGranularity = g;
    vs.persistenceTimeout ??= 360;
  },
  protocol: (vs, line, w) => {
    const p = word(line, 1, w.diagnostics, 'protocol')?.toUpperCase();
    if (p === 'TCP' || p === 'UDP' || p === 'SCTP') vs.protocol = p;
    else if (p !== undefined) w.diagnostics.error(line, `protocol: '${line.words[1]}' is not TCP, UDP or SCTP`);
  },
  ha_suspend: (vs) => {
    vs.haSuspend = true;
  },
  announce_table: announceTableHandler<VirtualServerDraft>((vs) =>
    vs.address.kind === 'fwmark' ? `a fwmark virtual server has no address to announce (fwmark ${vs.address.fwmark})` : undefined,
  ),
  omega: (vs) => {
    vs.omega = true;
  },
  quorum: (vs, line, w) => {
    const n = integer(line, 1, 1, 4294967295, w.diagnostics);
    if (n !== undefined) vs.quorum = n;
  },
  hysteresis: (vs, line, w) => {
    const n = integer(line, 1, 0, 4294967295, w.diagnostics);
    if (n !== undefined) vs.hysteresis = n;
  },
  quorum_up: (vs, line, w) => {
    const s = script(line, 1, w.diagnostics);
    if (s) vs.quorumUp = s;
  },
  quorum_down: (vs, line, w) => {
    const s = script(line, 1, w.diagnostics);
    if (s) vs.quorumDown = s;
  },
  weight: (vs, line, w) => {
    const n = integer(line, 1, 1, WEIGHT_LIMIT, w.diagnostics);
    if (n !== undefined) vs.weight = n;
  },
  sorry_server: (vs, line, w) => {
    const a = parseServerAddress(line, w.diagnostics);
    if (a) vs.sorryServer = a;
  },
  sorry_server_inhibit: (vs, line, w) => {
    const b = boolean(line, 1, w.diagnostics);
    if (b !== undefined) vs.sorryServerInhibit = b;
  },
  sorry_server_lvs_method: (vs, line, w) => {
    const f = parseForwarding(line, w.diagnostics);
    if (f) vs.sorryServerForwarding = f;
  },
  real_server: (vs, line, w) => {
    const a = parseServerAddress(line, w.diagnostics);
    if (!a) {
      w.skip(line);
      return;
    }
    // Every field present from the start: completed in place later without changing the object's shape.
    const rs: RealServerDraft = {
      at: { file: line.file, line: line.line },
      ip: a.ip,
      port: a.port,
      family: a.family,
      weight: undefined,
      forwarding: undefined,
      inhibitOnFailure: undefined,
      alpha: undefined,
      retry: undefined,
      delayBeforeRetry: undefined,
      warmup: undefined,
      connectTimeout: undefined,
      delayLoop: undefined,
      smtpAlert: undefined,
      virtualhost: undefined,
      checkers: [],
    };
    w.block(rs, REAL_SERVER_SPEC, line);
    vs.realServers = append(vs.realServers, rs);
  },
}, { real_server: REAL_SERVER_SPEC });

/** Opens `virtual_server ...`; undefined (block skipped) when the address cannot be read. */
export function newVirtualServerDraft(line: ConfigLine, w: Walker): VirtualServerDraft | undefined {
  const [, first, second] = line.words;
  let address: VirtualServerAddress;
  let family: IpFamily | undefined;
  if (first === 'group') {
    if (second === undefined) {
      w.diagnostics.error(line, 'virtual_server: group name missing');
      return undefined;
    }
    address = { kind: 'group', group: second };
  } else if (first === 'fwmark') {
    const n = integer(line, 2, 0, 4294967295, w.diagnostics, 'virtual_server fwmark');
    if (n === undefined) return undefined;
    address = { kind: 'fwmark', fwmark: n };
  } else {
    const a = parseServerAddress(line, w.diagnostics);
    if (!a) return undefined;
    address = { kind: 'ip', ip: a.ip, port: a.port, family: a.family };
    family = a.family;
  }
  return { at: line, address, family, schedulerFlags: [], haSuspend: false, omega: false, quorum: 1, hysteresis: 0, sorryServerInhibit: false, realServers: [] };
}
