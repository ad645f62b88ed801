/**
 * The contract of an SNMP AgentX subagent (RFC 2741): what observe/snmp/ needs of one. The real one is
 * transport/real/agentx-subagent.ts; cli/run-command.ts gives it.
 */
import type { Oid, VarBind } from '../protocol/agentx-codec.js';
import type { MibView } from '../protocol/snmp-view.js';

export interface AgentxSubagentOptions {
  /** keepalived's snmp_socket: `unix:/path`, `/path`, `tcp:host:port` (default: net-snmp's unix:/var/agentx/master). */
  readonly socket?: string | undefined;
  readonly description: string;
  readonly subtrees: readonly Oid[];
  /** The MIB as it is now (asked again for a request at most every 100 ms: a walk is hundreds of requests). */
  readonly view: () => MibView;
  readonly log: { info(message: string): void; warn(message: string): void };
  /** The writable objects (RFC 2741 §7.2.4); without it every set is refused with notWritable. */
  readonly write?: MibWriter | undefined;
  /** How long to wait before connecting again after a failure (ms). */
  readonly retryMs?: number | undefined;
}

export interface Subagent {
  start(): void;
  stop(): void;
  /** Sends a notification; false when it could be neither sent nor queued. */
  notify(trapOid: Oid, varbinds: readonly VarBind[]): boolean;
}

export type SubagentFactory = (options: AgentxSubagentOptions) => Subagent;

/** A refused varbind: its AgentX error (protocol/agentx-codec.ts AgentxError) and 1-based index in the request. */
export interface SetRefusal {
  readonly error: number;
  readonly index: number;
}

/** RFC 2741 §7.2.4: the two phases of a set as a subagent plays them. */
export interface MibWriter {
  /** TestSet: whether every varbind may be set as asked; the first refused one otherwise. Changes nothing. */
  test(varbinds: readonly VarBind[]): SetRefusal | undefined;
  /** CommitSet of varbinds that passed test: acts on them, and returns what undoes it (UndoSet). */
  commit(varbinds: readonly VarBind[]): () => void;
}
