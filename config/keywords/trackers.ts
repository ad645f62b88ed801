/**
 * Tracked objects defined at the top level: `track_file NAME { }` (`vrrp_track_file` is keepalived's deprecated
 * synonym), `vrrp_track_process NAME { }` (also read as `track_process`, with a warning: keepalived refuses it) and
 * `bfd_instance NAME { }`.
 */
import type { BfdInstance, TrackFile, TrackProcess } from '../model.js';
import type { ConfigLine } from '../reader.js';
import type { SourcePosition } from '../diagnostics.js';
import { address, integer, integerText, seconds, word } from '../values.js';
import { blockSpec } from '../walker.js';
import { ownWeightKeyword } from './tracking.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export type TrackFileDraft = Mutable<TrackFile>;
export type TrackProcessDraft = Mutable<TrackProcess> & { processGiven: boolean };
export type BfdDraft = Mutable<BfdInstance>;

const pos = (at: SourcePosition): SourcePosition => ({ file: at.file, line: at.line });

export function newTrackFileDraft(name: string, at: ConfigLine): TrackFileDraft {
  return { name, at: pos(at), file: '', weight: 1, weightReverse: false };
}

export const TRACK_FILE_SPEC = blockSpec<TrackFileDraft>('track_file', {
  file: (t, line, w) => {
    const f = word(line, 1, w.diagnostics, 'file name');
    if (f !== undefined) t.file = f;
  },
  weight: ownWeightKeyword(2147483647),
  init_file: (t, line, w) => {
    let value = 0;
    let overwrite = false;
    for (const arg of line.words.slice(1)) {
      if (arg === 'overwrite') overwrite = true;
      else {
        const n = integerText(arg, line, -2147483648, 2147483647, w.diagnostics, 'init_file');
        if (n === undefined) return;
        value = n;
      }
    }
    t.initFile = { value, overwrite };
  },
});

/** A vrrp_track_process block before its lines are read: keepalived's defaults, no process yet. */
export function trackProcessDefaults(name: string, at: SourcePosition): TrackProcess {
  return {
    name,
    at: pos(at),
    process: '',
    params: [],
    // keepalived 2.2.7's alloc_vrrp_process leaves the weight 0 (keepalived.conf(5) says 1, its code does not, and
    // the code is what runs): a block without weight makes its instances FAULT when the quorum is lost.
    weight: 0,
    weightReverse: false,
    quorum: 1,
    forkDelay: 0,
    terminateDelay: 0,
    fullCommand: false,
  };
}

export function newTrackProcessDraft(name: string, at: ConfigLine): TrackProcessDraft {
  return { ...trackProcessDefaults(name, at), processGiven: false };
}

/** keepalived's range for fork_delay, terminate_delay and delay: a microsecond to an hour. */
const PROCESS_DELAY_MIN = 0.000001;
const PROCESS_DELAY_MAX = 3600;

// keepalived's vrrp_parser.c: parameters after the process name, or any param_match, mean the full command line is
// compared (full_command), the parameters exactly unless param_match says initial or partial; `param_match` alone
// is exact.
export const TRACK_PROCESS_SPEC = blockSpec<TrackProcessDraft>('vrrp_track_process', {
  process: (t, line, w) => {
    if (t.processGiven) {
      w.diagnostics.error(line, `process: already set for track process ${t.name}`);
      return;
    }
    const p = word(line, 1, w.diagnostics, 'process name');
    if (p === undefined) return;
    t.process = p;
    t.params = line.words.slice(2);
    t.processGiven = true;
    if (t.params.length > 0) {
      t.paramMatch ??= 'exact';
      t.fullCommand = true;
    }
  },
  param_match: (t, line, w) => {
    const m = line.words[1];
    if (m === undefined) t.paramMatch = 'exact';
    else if (m === 'initial' || m === 'partial') t.paramMatch = m;
    else {
      w.diagnostics.error(line, `param_match: '${m}' is not initial or partial`);
      return;
    }
    t.fullCommand = true;
  },
  weight: ownWeightKeyword(254),
  quorum: (t, line, w) => {
    const n = integer(line, 1, 1, 65535, w.diagnostics);
    if (n !== undefined) t.quorum = n;
  },
  quorum_max: (t, line, w) => {
    const n = integer(line, 1, 0, 65535, w.diagnostics);
    if (n === undefined) return;
    t.quorumMax = n;
    // keepalived: quorum_max 0 (no process may run) makes the quorum 0.
    if (n === 0) t.quorum = 0;
    else if (t.quorum === 0) t.quorum = 1;
  },
  fork_delay: (t, line, w) => {
    const s = seconds(line, 1, PROCESS_DELAY_MIN, PROCESS_DELAY_MAX, w.diagnostics);
    if (s !== undefined) t.forkDelay = s;
  },
  terminate_delay: (t, line, w) => {
    const s = seconds(line, 1, PROCESS_DELAY_MIN, PROCESS_DELAY_MAX, w.diagnostics);
    if (s !== undefined) t.terminateDelay = s;
  },
  delay: (t, line, w) => {
    const s = seconds(line, 1, PROCESS_DELAY_MIN, PROCESS_DELAY_MAX, w.diagnostics);
    if (s !== undefined) t.forkDelay = t.terminateDelay = s;
  },
  full_command: (t) => {
    t.fullCommand = true;
  },
});

export function newBfdDraft(name: string, at: ConfigLine): BfdDraft {
  return { name, at: pos(at), minRx: 10, minTx: 10, idleTx: 1000, multiplier: 5, passive: false, maxHops: 0, weight: 0, weightReverse: false, vrrp: false, checker: false };
}

/**
 * keepalived 2.2.7 bfd_parser.c: milliseconds with micro-second resolution (three decimals), min_rx / min_tx from
 * 1 and idle_tx from 1000 (BFD_*_MIN), up to UINT32_MAX / 1000; a bad value is reported and ignored.
 */
function millis(t: BfdDraft, field: 'minRx' | 'minTx' | 'idleTx', line: ConfigLine, d: Parameters<typeof seconds>[4]): void {
  const v = seconds(line, 1, field === 'idleTx' ? 1000 : 1, 4294967, d);
  if (v !== undefined) t[field] = v;
}

export const BFD_SPEC = blockSpec<BfdDraft>('bfd_instance', {
  neighbor_ip: (t, line, w) => {
    const a = address(line.words[1], line, w.diagnostics, 'neighbor_ip');
    if (a) t.neighborIp = a.address;
  },
  neighbour_ip: (t, line, w) => {
    const a = address(line.words[1], line, w.diagnostics, 'neighbour_ip');
    if (a) t.neighborIp = a.address;
  },
  source_ip: (t, line, w) => {
    const a = address(line.words[1], line, w.diagnostics, 'source_ip');
    if (a) t.sourceIp = a.address;
  },
  min_rx: (t, line, w) => millis(t, 'minRx', line, w.diagnostics),
  min_tx: (t, line, w) => millis(t, 'minTx', line, w.diagnostics),
  idle_tx: (t, line, w) => millis(t, 'idleTx', line, w.diagnostics),
  multiplier: (t, line, w) => {
    const n = integer(line, 1, 1, 255, w.diagnostics);
    if (n !== undefined) t.multiplier = n;
  },
  passive: (t) => {
    t.passive = true;
  },
  ttl: (t, line, w) => {
    const n = integer(line, 1, 1, 255, w.diagnostics);
    if (n !== undefined) t.ttl = n;
  },
  hoplimit: (t, line, w) => {
    const n = integer(line, 1, 1, 255, w.diagnostics);
    if (n !== undefined) t.ttl = n;
  },
  // keepalived reads -1..255 into a byte: -1 is 255, which turns the TTL check off (bfd_check_packet_ttl).
  max_hops: (t, line, w) => {
    const n = integer(line, 1, -1, 255, w.diagnostics);
    if (n !== undefined) t.maxHops = n < 0 ? 255 : n;
  },
  weight: ownWeightKeyword(253),
  vrrp: (t) => {
    t.vrrp = true;
  },
  checker: (t) => {
    t.checker = true;
  },
});
