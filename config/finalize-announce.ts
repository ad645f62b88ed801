/**
 * `announce_table` (config/keywords/announce.ts) resolved to a table id: a number must be 1-252, a name must be in
 * iproute2's rt_tables (rt_tables.d/*.conf included) and must not be one of the kernel's own tables (unspec 0,
 * default 253, main 254, local 255): the announced routes go in a table of their own, which the BGP speaker
 * exports, and nowhere else. A problem is an error at the keyword's line.
 */
import type { Diagnostics } from './diagnostics.js';
import { unsignedNumber, type Iproute2Names } from './iproute2-names.js';
import type { AnnounceDraft } from './keywords/announce.js';

/** The kernel's reserved tables: unspec, default, main, local. */
const RESERVED = new Set([0, 253, 254, 255]);
const MAX_NUMBER = 252;

export function resolveAnnounceTable(draft: AnnounceDraft, owner: string, names: Iproute2Names, d: Diagnostics): void {
  const given = draft.announceTableName;
  if (given === undefined) return;
  const number = unsignedNumber(given.text);
  if (number !== undefined) {
    if (number < 1 || number > MAX_NUMBER) {
      d.error(given.at, `${owner}: announce_table ${given.text} is not a table from 1 to ${MAX_NUMBER}`);
      return;
    }
    draft.announceTable = number;
    return;
  }
  const id = names.resolve('table', given.text);
  if (id === undefined) {
    d.error(given.at, `${owner}: announce_table '${given.text}' is not a number or a name in ${names.sources('table')}`);
    return;
  }
  if (RESERVED.has(id)) {
    d.error(given.at, `${owner}: announce_table '${given.text}' is the kernel's table ${id}; announced routes need a table of their own`);
    return;
  }
  draft.announceTable = id;
}
