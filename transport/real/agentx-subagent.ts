/**
 * An AgentX subagent (RFC 2741) of the host's snmpd, as keepalived runs one (`enable_snmp_*`, `snmp_socket`):
 * it opens a session on the master's socket, registers its subtrees, answers Get / GetNext / GetBulk from a view
 * built afresh for each request, and sends notifications. A missing or restarted snmpd is logged once and the
 * subagent connects again every few seconds; nothing here can stop or delay VRRP (the socket is non-blocking and a
 * request is answered from a snapshot).
 */
import { createConnection, type Socket } from 'node:net';
import {
  AgentxError,
  CloseReason,
  VarType,
  decodePdu,
  encodeClose,
  encodeNotify,
  encodeOpen,
  encodeRegister,
  encodeResponse,
  splitPdus,
  type AgentxPdu,
  type Oid,
  type VarBind,
} from '../../protocol/agentx-codec.js';
import type { AgentxSubagentOptions, Subagent } from '../agentx-subagent.js';
import type { MibView } from '../../protocol/snmp-view.js';


export const DEFAULT_AGENTX_SOCKET = 'unix:/var/agentx/master';
/** How long one build of the MIB answers requests (ms). */
const VIEW_MAX_AGE_MS = 100;
/** SNMPv2-MIB sysUpTime.0 and snmpTrapOID.0: the first two varbinds of every notification (RFC 3416 §4.2.6). */
const SYS_UPTIME: Oid = [1, 3, 6, 1, 2, 1, 1, 3, 0];
const SNMP_TRAP_OID: Oid = [1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0];

export type AgentxTarget = { readonly path: string } | { readonly host: string; readonly port: number };

/** Reads snmp_socket as net-snmp does for an AgentX address. Throws on what it cannot use. */
export function parseAgentxSocket(spec: string): AgentxTarget {
  if (spec.startsWith('unix:')) return { path: spec.slice(5) };
  if (spec.startsWith('/')) return { path: spec };
  const m = /^(?:tcp:)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(spec);
  if (m === null || spec.startsWith('udp:')) throw new Error(`snmp_socket ${spec}: AgentX needs unix:PATH or tcp:HOST:PORT`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: m[2] === undefined ? 705 : Number(m[2]) };
}

export class AgentxSubagent implements Subagent {
  private socket: Socket | undefined;
  private pending: Buffer = Buffer.alloc(0);
  private sessionId = 0;
  private packetId = 1;
  private open = false;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private warned = false;
  private readonly started = process.hrtime.bigint();
  private readonly target: AgentxTarget;
  /**
   * Notifications raised while the first session is being opened (the daemon's first transitions come before the
   * master has answered): sent when it is open, dropped if the first attempt fails (net-snmp drops them too).
   */
  private queued: { trapOid: Oid; varbinds: readonly VarBind[] }[] | undefined = [];
  /** The set under way (RFC 2741 §7.2.4): its varbinds between TestSet and CleanupSet, its undo once committed. */
  private setting: { readonly transactionId: number; readonly varbinds: readonly VarBind[]; undo?: () => void } | undefined;
  private built: { readonly at: number; readonly view: MibView } | undefined;
  /** Replies we wait for, by packet id. */
  private readonly waiting = new Map<number, (pdu: AgentxPdu) => void>();

  constructor(private readonly options: AgentxSubagentOptions) {
    this.target = parseAgentxSocket(options.socket ?? DEFAULT_AGENTX_SOCKET);
  }

  get connected(): boolean {
    return this.open;
  }

  start(): void {
    this.connect();
  }

  /** Closes the session (reason shutdown) and stops connecting. */
  stop(): void {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    if (this.socket && this.open) this.socket.end(encodeClose(this.ids(), CloseReason.shutdown));
    else this.socket?.destroy();
    this.open = false;
  }

  /** Sends a notification (SNMPv2 trap) when a session is open; false when none is. */
  notify(trapOid: Oid, varbinds: readonly VarBind[]): boolean {
    if (!this.open || !this.socket) {
      if (this.queued !== undefined && this.queued.length < 64) this.queued.push({ trapOid, varbinds });
      return false;
    }
    const head: VarBind[] = [
      { oid: SYS_UPTIME, type: VarType.TimeTicks, value: this.uptime() },
      { oid: SNMP_TRAP_OID, type: VarType.ObjectIdentifier, value: trapOid },
    ];
    this.socket.write(encodeNotify(this.ids(), [...head, ...varbinds]));
    return true;
  }

  /** Centiseconds since the subagent started (sysUpTime of its responses). */
  private uptime(): number {
    return Number((process.hrtime.bigint() - this.started) / 10_000_000n) >>> 0;
  }

  private ids(transactionId = 0): { sessionId: number; transactionId: number; packetId: number } {
    return { sessionId: this.sessionId, transactionId, packetId: this.packetId++ };
  }

  private connect(): void {
    if (this.stopped) return;
    const socket = 'path' in this.target ? createConnection({ path: this.target.path }) : createConnection({ host: this.target.host, port: this.target.port });
    this.socket = socket;
    this.pending = Buffer.alloc(0);
    socket.on('connect', () => void this.handshake(socket));
    socket.on('data', (chunk: Buffer) => this.onData(socket, chunk));
    socket.on('error', (err) => this.lost(socket, err.message));
    socket.on('close', () => this.lost(socket, 'the master agent closed the connection'));
  }

  private lost(socket: Socket, why: string): void {
    if (socket !== this.socket) return;
    const wasOpen = this.open;
    this.open = false;
    this.socket = undefined;
    socket.destroy();
    for (const reply of this.waiting.values()) reply({ kind: 'other', type: 0, flags: 0, sessionId: 0, transactionId: 0, packetId: 0 });
    this.waiting.clear();
    this.queued = undefined;
    if (this.stopped) return;
    // One line when the master goes away, not one every retry.
    if (wasOpen || !this.warned) this.options.log.warn(`SNMP: AgentX master at ${this.where()} unavailable (${why}); retrying every ${this.retryMs() / 1000} s`);
    this.warned = true;
    this.retry = setTimeout(() => this.connect(), this.retryMs());
    this.retry.unref?.();
  }

  private retryMs(): number {
    return this.options.retryMs ?? 5000;
  }

  private where(): string {
    return 'path' in this.target ? `unix:${this.target.path}` : `tcp:${this.target.host}:${this.target.port}`;
  }

  private request(socket: Socket, build: (ids: ReturnType<AgentxSubagent['ids']>) => Buffer): Promise<AgentxPdu> {
    const ids = this.ids();
    return new Promise((resolve) => {
      this.waiting.set(ids.packetId, resolve);
      socket.write(build(ids));
    });
  }

  private async handshake(socket: Socket): Promise<void> {
    // The id of the subagent itself (RFC 2741 §6.2.1 o.id): the MIB it serves.
    const opened = await this.request(socket, (ids) => encodeOpen(ids, 0, this.options.subtrees[0] ?? [], this.options.description));
    if (opened.kind !== 'response' || opened.error !== AgentxError.noError) {
      if (opened.kind === 'response') this.lost(socket, `Open refused (error ${opened.error})`);
      return;
    }
    this.sessionId = opened.sessionId;
    for (const subtree of this.options.subtrees) {
      const r = await this.request(socket, (ids) => encodeRegister(ids, subtree));
      if (r.kind === 'response' && r.error !== AgentxError.noError) this.options.log.warn(`SNMP: registering ${subtree.join('.')} refused (error ${r.error})`);
      if (r.kind !== 'response') return;
    }
    this.open = true;
    this.warned = false;
    this.options.log.info(`SNMP: AgentX subagent connected to ${this.where()}`);
    const queued = this.queued ?? [];
    this.queued = undefined;
    for (const q of queued) this.notify(q.trapOid, q.varbinds);
  }

  private onData(socket: Socket, chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let pdus: Buffer[];
    try {
      ({ pdus, rest: this.pending } = splitPdus(this.pending));
      for (const raw of pdus) this.handle(socket, decodePdu(raw));
    } catch (err) {
      // RFC 2741 §7.1.4.3: a parse error closes the session; the subagent opens a new one.
      socket.write(encodeClose(this.ids(), CloseReason.parseError));
      this.lost(socket, `bad PDU from the master: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /**
   * The MIB as it is now, built at most every VIEW_MAX_AGE_MS: a walk is hundreds of requests, and building the
   * whole MIB for each would cost the VRRP thread a full build per request (a set rebuilds it at once).
   */
  private view(): MibView {
    const now = performance.now();
    if (this.built === undefined || now - this.built.at > VIEW_MAX_AGE_MS) this.built = { at: now, view: this.options.view() };
    return this.built.view;
  }

  private handle(socket: Socket, pdu: AgentxPdu): void {
    const reply = (error: number, index: number, varbinds: readonly VarBind[]): void => {
      socket.write(encodeResponse({ sessionId: pdu.sessionId, transactionId: pdu.transactionId, packetId: pdu.packetId }, this.uptime(), error, index, varbinds));
    };
    switch (pdu.kind) {
      case 'response': {
        const waiting = this.waiting.get(pdu.packetId);
        this.waiting.delete(pdu.packetId);
        waiting?.(pdu);
        return;
      }
      case 'get': {
        const view = this.view();
        return reply(AgentxError.noError, 0, pdu.ranges.map((r) => view.get(r.start)));
      }
      case 'getNext': {
        const view = this.view();
        return reply(AgentxError.noError, 0, pdu.ranges.map((r) => view.next(r)));
      }
      case 'getBulk':
        return reply(AgentxError.noError, 0, this.view().bulk(pdu.nonRepeaters, pdu.maxRepetitions, pdu.ranges));
      // RFC 2741 §7.2.4: TestSet checks, CommitSet acts, UndoSet reverts a commit, CleanupSet ends the set.
      case 'testSet': {
        const write = this.options.write;
        const refused = write === undefined ? { error: AgentxError.notWritable, index: 1 } : write.test(pdu.varbinds);
        this.setting = refused === undefined ? { transactionId: pdu.transactionId, varbinds: pdu.varbinds } : undefined;
        return refused === undefined ? reply(AgentxError.noError, 0, []) : reply(refused.error, refused.index, []);
      }
      case 'commitSet': {
        const setting = this.setting?.transactionId === pdu.transactionId ? this.setting : undefined;
        if (setting === undefined || this.options.write === undefined) return reply(AgentxError.commitFailed, 0, []);
        try {
          setting.undo = this.options.write.commit(setting.varbinds);
          this.built = undefined;
        } catch (err) {
          this.options.log.warn(`SNMP: a set failed: ${err instanceof Error ? err.message : String(err)}`);
          return reply(AgentxError.commitFailed, 1, []);
        }
        return reply(AgentxError.noError, 0, []);
      }
      case 'undoSet': {
        const setting = this.setting?.transactionId === pdu.transactionId ? this.setting : undefined;
        setting?.undo?.();
        if (setting) setting.undo = undefined;
        this.built = undefined;
        return reply(setting === undefined ? AgentxError.undoFailed : AgentxError.noError, 0, []);
      }
      // RFC 2741 §7.2.4.4: CleanupSet has no response.
      case 'cleanupSet':
        if (this.setting?.transactionId === pdu.transactionId) this.setting = undefined;
        return;
      case 'close':
        this.lost(socket, `the master closed the session (reason ${pdu.reason})`);
        return;
      default:
        return reply(AgentxError.processingError, 0, []);
    }
  }
}
