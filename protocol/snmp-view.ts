/**
 * A snapshot of MIB instances, sorted, answering the three AgentX reads (RFC 2741 §7.2.3): Get (the instance
 * itself), GetNext (the first instance after a search range's start, inside the range) and GetBulk (GetNext
 * repeated). Pure: the subagent builds one per request PDU from the daemon's state.
 */
import { VarType, compareOids, type Oid, type SearchRange, type VarBind } from './agentx-codec.js';

export class MibView {
  private readonly entries: VarBind[];

  /** `entries` in any order; the view sorts them (a later duplicate OID replaces an earlier one). */
  constructor(
    entries: Iterable<VarBind>,
    /** The subtrees this view serves: a Get outside them is noSuchObject, inside them noSuchInstance. */
    private readonly subtrees: readonly Oid[] = [],
  ) {
    const byKey = new Map<string, VarBind>();
    for (const e of entries) byKey.set(e.oid.join('.'), e);
    this.entries = [...byKey.values()].sort((a, b) => compareOids(a.oid, b.oid));
  }

  get size(): number {
    return this.entries.length;
  }

  /** Every instance, in order (for tests and dumps). */
  all(): readonly VarBind[] {
    return this.entries;
  }

  /** The index of the first entry not below `oid` (with `strict`, the first above it). */
  private seek(oid: Oid, strict: boolean): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = compareOids(this.entries[mid]!.oid, oid);
      if (c < 0 || (strict && c === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(oid: Oid): VarBind {
    const i = this.seek(oid, false);
    const hit = this.entries[i];
    if (hit !== undefined && compareOids(hit.oid, oid) === 0) return hit;
    const within = this.subtrees.some((s) => s.length <= oid.length && s.every((v, k) => oid[k] === v));
    // An object exists when some instance lies under oid minus its last sub-identifier (a column or a scalar).
    const object = oid.slice(0, -1);
    const objectExists = object.length > 0 && [this.entries[i - 1], this.entries[i]].some((e) => e !== undefined && object.every((v, k) => e.oid[k] === v));
    return { oid, type: within && objectExists ? VarType.NoSuchInstance : VarType.NoSuchObject };
  }

  next(range: SearchRange): VarBind {
    const i = this.seek(range.start, !range.include);
    const hit = this.entries[i];
    if (hit !== undefined && (range.end.length === 0 || compareOids(hit.oid, range.end) < 0)) return hit;
    return { oid: range.start, type: VarType.EndOfMibView };
  }

  /** RFC 2741 §7.2.3.3: the first `nonRepeaters` ranges once, the others `maxRepetitions` times, interleaved. */
  bulk(nonRepeaters: number, maxRepetitions: number, ranges: readonly SearchRange[]): VarBind[] {
    const out: VarBind[] = [];
    for (const r of ranges.slice(0, nonRepeaters)) out.push(this.next(r));
    let repeating = ranges.slice(nonRepeaters);
    for (let n = 0; n < maxRepetitions && repeating.length > 0; n++) {
      const following: SearchRange[] = [];
      let allEnded = true;
      for (const r of repeating) {
        const v = this.next(r);
        out.push(v);
        if (v.type !== VarType.EndOfMibView) allEnded = false;
        following.push(v.type === VarType.EndOfMibView ? r : { start: v.oid, include: false, end: r.end });
      }
      if (allEnded) break;
      repeating = following;
    }
    return out;
  }
}
