/**
 * A MibWriter made of the changes a set's varbinds ask for and how one change is made (RFC 2741 §7.2.4: TestSet
 * changes nothing, CommitSet makes every change, UndoSet reverses them, last first).
 */
import type { Config } from '../../config/model.js';
import { AgentxError, type VarBind } from '../../protocol/agentx-codec.js';
import type { MibWriter, SetRefusal } from '../../transport/agentx-subagent.js';

export interface ChangeRules<C> {
  /** The running configuration; undefined before one is loaded (nothing is writable then). */
  readonly config: () => Config | undefined;
  /** The change one varbind asks for, or the AgentX error (RFC 2741 §6.2.16) that refuses it. */
  readonly changeOf: (config: Config, vb: VarBind) => C | number;
  /** Whether the object the change names is still running (false: notWritable). */
  readonly present: (change: C) => boolean;
  /** Makes the change; returns what undoes it. */
  readonly make: (change: C) => () => void;
}

export function changeWriter<C extends object>(rules: ChangeRules<C>): MibWriter {
  const changes = (varbinds: readonly VarBind[]): C[] | SetRefusal => {
    const c = rules.config();
    const out: C[] = [];
    for (const [i, vb] of varbinds.entries()) {
      const change = c === undefined ? AgentxError.notWritable : rules.changeOf(c, vb);
      if (typeof change === 'number') return { error: change, index: i + 1 };
      if (!rules.present(change)) return { error: AgentxError.notWritable, index: i + 1 };
      out.push(change);
    }
    return out;
  };
  return {
    test: (varbinds) => {
      const c = changes(varbinds);
      return Array.isArray(c) ? undefined : c;
    },
    commit: (varbinds) => {
      const c = changes(varbinds);
      if (!Array.isArray(c)) throw new Error(`varbind ${c.index} can no longer be set (error ${c.error})`);
      const undo = c.map(rules.make);
      return () => undo.reverse().forEach((u) => u());
    },
  };
}
