/**
 * Health checker blocks of a real_server: TCP_CHECK, HTTP_GET, SSL_GET (with `url { }`), SMTP_CHECK (with
 * `host { }`), DNS_CHECK, UDP_CHECK, PING_CHECK, MISC_CHECK, FILE_CHECK and BFD_CHECK (keepalived.conf(5),
 * "Virtual server(s)"). Values not given are inherited from the real server in finalize-lvs.ts.
 */
import type { Diagnostics, SourcePosition } from '../diagnostics.js';
import type { CheckerConnection, CheckerType, HttpUrl } from '../model.js';
import type { ConfigLine } from '../reader.js';
import { address, boolean, integer, rest, seconds, word } from '../values.js';
import { blockSpec, type BlockSpec, type KeywordHandler } from '../walker.js';
import { ownWeightKeyword } from './tracking.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export type ConnectionDraft = { -readonly [K in keyof CheckerConnection]?: CheckerConnection[K] };

/**
 * A checker being read: the union of every checker type's fields, all optional, named as in the model so that
 * finalize-lvs.ts completes it in place (a configuration can hold tens of thousands of checkers).
 */
export interface CheckerDraft extends ConnectionDraft {
  readonly type: CheckerType;
  readonly at: SourcePosition;
  retry?: number | undefined;
  delayBeforeRetry?: number | undefined;
  warmup?: number | undefined;
  delayLoop?: number | undefined;
  alpha?: boolean | undefined;
  logAllFailures?: boolean | undefined;
  urls?: Mutable<HttpUrl>[] | undefined;
  virtualhost?: string | undefined;
  httpProtocol?: '1.0' | '1.0C' | '1.1' | undefined;
  enableSni?: boolean | undefined;
  fastRecovery?: boolean | undefined;
  heloName?: string | undefined;
  hosts?: ConnectionDraft[] | undefined;
  queryType?: 'A' | 'NS' | 'CNAME' | 'SOA' | 'MX' | 'TXT' | 'AAAA' | undefined;
  /** DNS_CHECK query name, BFD_CHECK bfd_instance name. */
  name?: string | undefined;
  payload?: string | undefined;
  requireReply?: string | true | undefined;
  minReplyLength?: number | undefined;
  maxReplyLength?: number | undefined;
  miscPath?: string | undefined;
  miscTimeout?: number | undefined;
  miscDynamic?: boolean | undefined;
  user?: string | undefined;
  group?: string | undefined;
  trackFile?: string | undefined;
  weight?: number | undefined;
  weightReverse?: boolean | undefined;
}

export function newCheckerDraft(type: CheckerType, at: ConfigLine): CheckerDraft {
  // The fields every connecting checker ends up with, present from the start (a stable object shape).
  return {
    type,
    at: { file: at.file, line: at.line },
    connectPort: undefined,
    connectTimeout: undefined,
    retry: undefined,
    delayBeforeRetry: undefined,
    warmup: undefined,
    delayLoop: undefined,
    alpha: undefined,
    logAllFailures: undefined,
  };
}

type H<T> = KeywordHandler<T>;

/** connect_ip, connect_port, bindto, bind_port, bind_if, connect_timeout, fwmark. */
function connectionHandlers<T>(get: (t: T) => ConnectionDraft): Record<string, H<T>> {
  return {
    connect_ip: (t, line, w) => {
      const a = address(line.words[1], line, w.diagnostics, 'connect_ip');
      if (a) get(t).connectIp = a.address;
    },
    connect_port: (t, line, w) => {
      const n = integer(line, 1, 1, 65535, w.diagnostics);
      if (n !== undefined) get(t).connectPort = n;
    },
    bindto: (t, line, w) => {
      const a = address(line.words[1], line, w.diagnostics, 'bindto');
      if (a) get(t).bindTo = a.address;
    },
    bind_port: (t, line, w) => {
      const n = integer(line, 1, 1, 65535, w.diagnostics);
      if (n !== undefined) get(t).bindPort = n;
    },
    bind_if: (t, line, w) => {
      const name = word(line, 1, w.diagnostics, 'interface name');
      if (name !== undefined) get(t).bindIf = name;
    },
    connect_timeout: (t, line, w) => {
      const s = seconds(line, 1, 0.000001, 4294, w.diagnostics);
      if (s !== undefined) get(t).connectTimeout = s;
    },
    fwmark: (t, line, w) => {
      const n = integer(line, 1, 0, 4294967295, w.diagnostics);
      if (n !== undefined) get(t).fwmark = n;
    },
  };
}

/** retry, delay_before_retry, warmup, delay_loop, alpha, log_all_failures. */
const COMMON: Record<string, H<CheckerDraft>> = {
  retry: (c, line, w) => {
    const n = integer(line, 1, 0, 4294967295, w.diagnostics);
    if (n !== undefined) c.retry = n;
  },
  delay_before_retry: (c, line, w) => {
    const s = seconds(line, 1, 0, 4294, w.diagnostics);
    if (s !== undefined) c.delayBeforeRetry = s;
  },
  warmup: (c, line, w) => {
    const s = seconds(line, 1, 0, 4294, w.diagnostics);
    if (s !== undefined) c.warmup = s;
  },
  delay_loop: (c, line, w) => {
    const s = seconds(line, 1, 0.000001, 4294, w.diagnostics);
    if (s !== undefined) c.delayLoop = s;
  },
  alpha: (c, line, w) => {
    const b = boolean(line, 1, w.diagnostics);
    if (b !== undefined) c.alpha = b;
  },
  log_all_failures: (c, line, w) => {
    const b = boolean(line, 1, w.diagnostics);
    if (b !== undefined) c.logAllFailures = b;
  },
};

const CONNECTION = connectionHandlers<CheckerDraft>((c) => c);

function parseStatusCodes(line: ConfigLine, url: Mutable<HttpUrl>, warn: (m: string) => void): void {
  const codes: [number, number][] = [];
  for (const text of line.words.slice(1)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(text);
    const lo = m ? Number(m[1]) : NaN;
    const hi = m ? Number(m[2] ?? m[1]) : NaN;
    if (!m || lo < 100 || hi > 599 || lo > hi) {
      warn(`status_code: invalid HTTP status code '${text}' - ignoring`);
      continue;
    }
    codes.push([lo, hi]);
  }
  url.statusCodes = [...url.statusCodes, ...codes];
}

/**
 * keepalived 2.2.7's url end handler (check/check_http.c url_end_handler): regex options without a regex are
 * dropped, and a regex_min_offset beyond regex_max_offset drops both, each with a log line (-t still passes).
 */
function endUrlRegex(url: Mutable<HttpUrl>, line: ConfigLine, d: Diagnostics): void {
  if (url.regex === undefined) {
    if (url.regexOptions !== undefined || url.regexNoMatch || url.regexMinOffset !== undefined || url.regexMaxOffset !== undefined || url.regexStack !== undefined) {
      d.warning(line, 'url: regex parameters specified without regex - ignoring them');
      url.regexOptions = url.regexMinOffset = url.regexMaxOffset = url.regexStack = undefined;
      url.regexNoMatch = false;
    }
    return;
  }
  if (url.regexMaxOffset !== undefined && (url.regexMinOffset ?? 0) > url.regexMaxOffset) {
    d.warning(line, `url: regex_min_offset ${url.regexMinOffset ?? 0} > regex_max_offset ${url.regexMaxOffset} - ignoring both`);
    url.regexMinOffset = url.regexMaxOffset = undefined;
  }
}

const URL_SPEC = blockSpec<Mutable<HttpUrl>>('url', {
  path: (u, line, w) => {
    const p = word(line, 1, w.diagnostics, 'path');
    if (p !== undefined) u.path = p;
  },
  digest: (u, line, w) => {
    const dg = word(line, 1, w.diagnostics, 'digest');
    if (dg === undefined) return;
    if (u.digest !== undefined) w.diagnostics.warning(line, `digest: '${dg}' is a duplicate - ignoring`);
    else if (!/^[0-9a-fA-F]{32}$/.test(dg)) w.diagnostics.error(line, `digest: '${dg}' is not 32 hexadecimal digits (an MD5 digest)`);
    else u.digest = dg.toLowerCase();
  },
  status_code: (u, line, w) => parseStatusCodes(line, u, (m) => w.diagnostics.warning(line, m)),
  virtualhost: (u, line, w) => {
    const h = word(line, 1, w.diagnostics, 'host name');
    if (h !== undefined) u.virtualhost = h;
  },
  regex: (u, line, w) => {
    const r = rest(line, 1, w.diagnostics, 'regular expression');
    if (r !== undefined) u.regex = r;
  },
  regex_no_match: (u) => {
    u.regexNoMatch = true;
  },
  regex_options: (u, line) => {
    u.regexOptions = line.words.slice(1);
  },
  regex_min_offset: (u, line, w) => {
    const n = integer(line, 1, 0, 4294967295, w.diagnostics);
    if (n !== undefined) u.regexMinOffset = n;
  },
  regex_max_offset: (u, line, w) => {
    const n = integer(line, 1, 0, 4294967295, w.diagnostics);
    if (n !== undefined) u.regexMaxOffset = n;
  },
  regex_stack: (u, line, w) => {
    const a = integer(line, 1, 0, 4294967295, w.diagnostics);
    const b = integer(line, 2, 0, 4294967295, w.diagnostics);
    if (a === undefined || b === undefined) return;
    if (a > b) w.diagnostics.warning(line, 'regex_stack: start cannot exceed max value - ignoring');
    else u.regexStack = [a, b];
  },
});

const HTTP: Record<string, H<CheckerDraft>> = {
  nb_get_retry: (c, line, w) => {
    w.diagnostics.warning(line, `'nb_get_retry' is deprecated - use 'retry'`);
    const n = integer(line, 1, 0, 4294967295, w.diagnostics);
    if (n !== undefined) c.retry = n;
  },
  virtualhost: (c, line, w) => {
    const h = word(line, 1, w.diagnostics, 'host name');
    if (h !== undefined) c.virtualhost = h;
  },
  http_protocol: (c, line, w) => {
    const v = word(line, 1, w.diagnostics, 'version');
    if (v === '1.0' || v === '1.1') c.httpProtocol = v;
    else if (v === '1.0C' || v === '1.0c') c.httpProtocol = '1.0C';
    else if (v !== undefined) w.diagnostics.error(line, `http_protocol: '${v}' is not 1.0, 1.0C or 1.1`);
  },
  enable_sni: (c, line, w) => {
    const b = boolean(line, 1, w.diagnostics);
    if (b !== undefined) c.enableSni = b;
  },
  fast_recovery: (c, line, w) => {
    const b = boolean(line, 1, w.diagnostics);
    if (b !== undefined) c.fastRecovery = b;
  },
  url: (c, line, w) => {
    const url: Mutable<HttpUrl> = { path: '', statusCodes: [], regexNoMatch: false };
    w.block(url, URL_SPEC, line);
    if (url.path === '') {
      w.diagnostics.error(line, `${c.type} url has no path`);
      return;
    }
    if (url.statusCodes.length === 0) url.statusCodes = [[200, 299]];
    endUrlRegex(url, line, w.diagnostics);
    (c.urls ??= []).push(url);
  },
};

const SMTP_HOST_SPEC = blockSpec<ConnectionDraft>('host', connectionHandlers<ConnectionDraft>((h) => h));

const SMTP: Record<string, H<CheckerDraft>> = {
  helo_name: (c, line, w) => {
    const h = word(line, 1, w.diagnostics, 'name');
    if (h !== undefined) c.heloName = h;
  },
  host: (c, line, w) => {
    const host: ConnectionDraft = {};
    w.block(host, SMTP_HOST_SPEC, line);
    (c.hosts ??= []).push(host);
  },
};

const DNS_TYPES = ['A', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'AAAA'] as const;

const DNS: Record<string, H<CheckerDraft>> = {
  type: (c, line, w) => {
    const t = word(line, 1, w.diagnostics, 'query type');
    if (t === undefined) return;
    const upper = t.toUpperCase();
    const found = DNS_TYPES.find((x) => x === upper);
    if (found) c.queryType = found;
    else w.diagnostics.error(line, `type: unknown DNS query type '${t}' (one of ${DNS_TYPES.join('|')})`);
  },
  name: (c, line, w) => {
    const n = word(line, 1, w.diagnostics, 'name');
    if (n !== undefined) c.name = n;
  },
};

const HEX = /^[0-9a-fA-F ]+$/;
const HEX_REPLY = /^[0-9a-fA-FxX ]+$/;

const UDP: Record<string, H<CheckerDraft>> = {
  payload: (c, line, w) => {
    const p = rest(line, 1, w.diagnostics, 'hex string');
    if (p === undefined) return;
    if (!HEX.test(p)) w.diagnostics.error(line, `payload: '${p}' is not a hex string`);
    else c.payload = p;
  },
  require_reply: (c, line, w) => {
    if (line.words.length === 1) {
      c.requireReply = true;
      return;
    }
    const p = line.words.slice(1).join(' ');
    if (!HEX_REPLY.test(p)) w.diagnostics.error(line, `require_reply: '${p}' is not a hex string`);
    else c.requireReply = p;
  },
  min_reply_length: (c, line, w) => {
    const n = integer(line, 1, 0, 65535, w.diagnostics);
    if (n !== undefined) c.minReplyLength = n;
  },
  max_reply_length: (c, line, w) => {
    const n = integer(line, 1, 0, 65535, w.diagnostics);
    if (n !== undefined) c.maxReplyLength = n;
  },
};

const MISC: Record<string, H<CheckerDraft>> = {
  misc_path: (c, line, w) => {
    const p = rest(line, 1, w.diagnostics, 'command');
    if (p !== undefined) c.miscPath = p;
  },
  misc_timeout: (c, line, w) => {
    const n = integer(line, 1, 0, 4294, w.diagnostics);
    if (n !== undefined) c.miscTimeout = n;
  },
  misc_dynamic: (c) => {
    c.miscDynamic = true;
  },
  user: (c, line, w) => {
    const u = word(line, 1, w.diagnostics, 'user name');
    if (u === undefined) return;
    c.user = u;
    c.group = line.words[2];
  },
};

const FILE: Record<string, H<CheckerDraft>> = {
  track_file: (c, line, w) => {
    const n = word(line, 1, w.diagnostics, 'track_file name');
    if (n !== undefined) c.trackFile = n;
  },
  weight: ownWeightKeyword(2147483647),
  // keepalived.conf(5) lists `dynamic` here, but keepalived 2.2.7's parser (check/check_file.c
  // install_file_check_keyword) has no such keyword: it logs "Unknown keyword 'dynamic'", ignores it, and -t fails.
  dynamic: (_c, line, w) => {
    w.diagnostics.warning(line, "FILE_CHECK dynamic is not a keyword of keepalived 2.2.7 (its man page lists it, its parser does not): ignored, as keepalived does");
  },
};

const BFD: Record<string, H<CheckerDraft>> = {
  name: (c, line, w) => {
    const n = word(line, 1, w.diagnostics, 'bfd_instance name');
    if (n !== undefined) c.name = n;
  },
  alpha: COMMON['alpha']!,
};

export const CHECKER_SPECS: Readonly<Record<CheckerType, BlockSpec<CheckerDraft>>> = {
  TCP_CHECK: blockSpec('TCP_CHECK', { ...CONNECTION, ...COMMON }),
  HTTP_GET: blockSpec('HTTP_GET', { ...CONNECTION, ...COMMON, ...HTTP }, { url: URL_SPEC }),
  SSL_GET: blockSpec('SSL_GET', { ...CONNECTION, ...COMMON, ...HTTP }, { url: URL_SPEC }),
  SMTP_CHECK: blockSpec('SMTP_CHECK', { ...CONNECTION, ...COMMON, ...SMTP }, { host: SMTP_HOST_SPEC }),
  DNS_CHECK: blockSpec('DNS_CHECK', { ...CONNECTION, ...COMMON, ...DNS }),
  UDP_CHECK: blockSpec('UDP_CHECK', { ...CONNECTION, ...COMMON, ...UDP }),
  PING_CHECK: blockSpec('PING_CHECK', { ...CONNECTION, ...COMMON }),
  MISC_CHECK: blockSpec('MISC_CHECK', { ...COMMON, ...MISC }),
  FILE_CHECK: blockSpec('FILE_CHECK', FILE),
  BFD_CHECK: blockSpec('BFD_CHECK', BFD),
};

export const CHECKER_TYPES = Object.keys(CHECKER_SPECS) as CheckerType[];

