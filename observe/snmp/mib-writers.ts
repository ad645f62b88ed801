/**
 * One subagent session serves every subtree, so one set can name objects of several (a vrrp priority and a real
 * server's weight): each varbind goes to the writer of its subtree, in the request's order; a varbind no writer
 * takes is notWritable. A refusal names the varbind's index in the whole request (RFC 2741 §7.2.4.1).
 */
import { AgentxError, type Oid, type VarBind } from '../../protocol/agentx-codec.js';
import type { MibWriter } from '../../transport/agentx-subagent.js';

export interface SubtreeWriter {
  readonly subtree: Oid;
  readonly writer: MibWriter;
}

const under = (oid: Oid, subtree: Oid): boolean => oid.length > subtree.length && subtree.every((v, k) => oid[k] === v);

/** The writer of these subtrees; undefined when there is none (every set refused with notWritable). */
export function subtreeWriters(writers: readonly SubtreeWriter[]): MibWriter | undefined {
  if (writers.length === 0) return undefined;
  /** The varbinds of each writer, with their 1-based indexes in the request; undefined: one no writer takes. */
  const split = (varbinds: readonly VarBind[]): { readonly w: SubtreeWriter; readonly items: { vb: VarBind; index: number }[] }[] | number => {
    const groups = new Map<SubtreeWriter, { vb: VarBind; index: number }[]>();
    for (const [i, vb] of varbinds.entries()) {
      const w = writers.find((x) => under(vb.oid, x.subtree));
      if (w === undefined) return i + 1;
      const items = groups.get(w) ?? [];
      items.push({ vb, index: i + 1 });
      groups.set(w, items);
    }
    return [...groups].map(([w, items]) => ({ w, items }));
  };
  return {
    test: (varbinds) => {
      const groups = split(varbinds);
      if (typeof groups === 'number') return { error: AgentxError.notWritable, index: groups };
      const refusals = groups.flatMap(({ w, items }) => {
        const refused = w.writer.test(items.map((x) => x.vb));
        return refused === undefined ? [] : [{ error: refused.error, index: items[refused.index - 1]?.index ?? refused.index }];
      });
      // The first refused varbind of the request.
      return refusals.sort((a, b) => a.index - b.index)[0];
    },
    commit: (varbinds) => {
      const groups = split(varbinds);
      if (typeof groups === 'number') throw new Error(`varbind ${groups} is in no writable subtree`);
      const undo: (() => void)[] = [];
      try {
        for (const { w, items } of groups) undo.push(w.writer.commit(items.map((x) => x.vb)));
      } catch (err) {
        for (const u of undo.reverse()) u();
        throw err;
      }
      return () => undo.reverse().forEach((u) => u());
    },
  };
}
