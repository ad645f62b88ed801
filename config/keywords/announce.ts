/**
 * `announce_table TABLE` (a vigil extension, in `virtual_server` and `vrrp_instance` blocks): while the virtual
 * server has its quorum, or the instance is MASTER, vigil puts a host route to each of its addresses in routing
 * table TABLE for a BGP speaker to export (BIRD's kernel protocol with `learn`, FRR's `ip import-table`). The table
 * is a number 1-252 or a name of iproute2's rt_tables, resolved once the block is read (config/finalize-announce.ts).
 */
import type { ConfigLine } from '../reader.js';
import type { KeywordHandler } from '../walker.js';

/** What the block said: the table as written, resolved later to `announceTable`. */
export interface AnnounceDraft {
  announceTableName?: { readonly text: string; readonly at: ConfigLine } | undefined;
  announceTable?: number | undefined;
}

export function announceTableHandler<T extends AnnounceDraft>(refuse?: (draft: T) => string | undefined): KeywordHandler<T> {
  return (draft, line, w) => {
    const text = line.words[1];
    if (text === undefined || line.words.length > 2) {
      w.diagnostics.error(line, 'announce_table: expected one table, a number 1-252 or a name from rt_tables');
      return;
    }
    const problem = refuse?.(draft);
    if (problem !== undefined) {
      w.diagnostics.error(line, `announce_table: ${problem}`);
      return;
    }
    draft.announceTableName = { text, at: line };
  };
}
