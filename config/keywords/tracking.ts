/**
 * Lines of track_interface / track_script / track_file / track_process / track_bfd blocks (in vrrp_instance and
 * vrrp_sync_group): `NAME [weight W [reverse|noreverse]]`. keepalived limits tracked weights to ±253 (±254 is
 * taken down to ±253 with a warning; track_file / track_process accept ±254). Without `reverse` / `noreverse` the
 * tracked object's own direction applies (vrrp_track.c alloc_track_script and its kin start from the object's
 * weight_reverse), so `reverse` is left undefined here and resolved once the objects are known.
 */
import { positionOf, type Diagnostics } from '../diagnostics.js';
import type { TrackedByName } from '../model.js';
import type { ConfigLine } from '../reader.js';
import { integerText } from '../values.js';
import type { KeywordHandler } from '../walker.js';

export type TrackKind = 'track_interface' | 'track_script' | 'track_file' | 'track_process' | 'track_bfd';

const LIMIT: Record<TrackKind, number> = {
  track_interface: 253,
  track_script: 253,
  track_file: 254,
  track_process: 254,
  track_bfd: 253,
};

export function parseTrackLine(kind: TrackKind, line: ConfigLine, d: Diagnostics, seen: Set<string>): TrackedByName | undefined {
  const [name, option, weightText, direction] = line.words as (string | undefined)[];
  if (name === undefined) return undefined;
  if (seen.has(name)) {
    d.warning(line, `${kind}: duplicate '${name}' - ignoring`);
    return undefined;
  }
  seen.add(name);
  const at = positionOf(line);
  if (option === undefined) return { name, at };
  if (option !== 'weight') {
    d.warning(line, `${kind}: unknown option '${option}' for '${name}' - ignoring`);
    return { name, at };
  }
  if (weightText === undefined) {
    d.error(line, `${kind}: weight without a value for '${name}'`);
    return { name, at };
  }
  const limit = LIMIT[kind];
  let weight = integerText(weightText, line, -254, 254, d, `${kind} weight`);
  if (weight === undefined) return { name, at };
  if (Math.abs(weight) > limit) {
    d.warning(line, `${kind}: weight for '${name}' cannot be ${weight} - using ${weight < 0 ? -limit : limit}`);
    weight = weight < 0 ? -limit : limit;
  }
  let reverse: boolean | undefined;
  if (direction === 'reverse') reverse = true;
  else if (direction === 'noreverse' || direction === 'no_reverse') reverse = false;
  else if (direction !== undefined) d.warning(line, `${kind}: unknown weight option '${direction}' for '${name}' - ignoring`);
  return { name, weight, ...(reverse !== undefined ? { reverse } : {}), at };
}

/** `weight W [reverse]` of vrrp_script / track_file / vrrp_track_process / bfd_instance blocks. */
export function parseOwnWeight(line: ConfigLine, min: number, max: number, d: Diagnostics): { weight: number; reverse: boolean } | undefined {
  const text = line.words[1];
  if (text === undefined) {
    d.error(line, `weight: missing value`);
    return undefined;
  }
  const weight = integerText(text, line, min, max, d, 'weight');
  if (weight === undefined) return undefined;
  const extra = line.words[2];
  if (extra !== undefined && extra !== 'reverse' && extra !== 'noreverse') d.warning(line, `weight: unknown option '${extra}' - ignoring`);
  return { weight, reverse: extra === 'reverse' };
}

/** The `weight W [reverse]` keyword of a block with its own weight (those above, and FILE_CHECK), W within ±limit. */
export function ownWeightKeyword(limit: number): KeywordHandler<{ weight?: number | undefined; weightReverse?: boolean | undefined }> {
  return (t, line, w) => {
    const wt = parseOwnWeight(line, -limit, limit, w.diagnostics);
    if (wt) {
      t.weight = wt.weight;
      t.weightReverse = wt.reverse;
    }
  };
}
