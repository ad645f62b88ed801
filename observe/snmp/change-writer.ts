/**
 * A MibWriter made of the changes a set's varbinds ask for and how one change is made (RFC 2741 §7.2.4: TestSet
 * changes nothing, CommitSet makes every change, UndoSet reverses them, last first).
 */
import type { VarBind } from '../../protocol/agentx-codec.js';
import type { MibWriter, SetRefusal } from '../../transport/agentx-subagent.js';

export function changeWriter<C>(changes: (varbinds: readonly VarBind[]) => C[] | SetRefusal, make: (change: C) => () => void): MibWriter {
  return {
    test: (varbinds) => {
      const c = changes(varbinds);
      return Array.isArray(c) ? undefined : c;
    },
    commit: (varbinds) => {
      const c = changes(varbinds);
      if (!Array.isArray(c)) throw new Error(`varbind ${c.index} can no longer be set (error ${c.error})`);
      const undo = c.map(make);
      return () => undo.reverse().forEach((u) => u());
    },
  };
}
