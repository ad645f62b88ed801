/**
 * A master agent played by the tests (a Unix socket speaking AgentX through protocol/agentx-codec.ts): records
 * every PDU a subagent sends, answers Open, Register and Notify, and lets the test send requests.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { AgentxPduType, decodePdu, encodeResponse, splitPdus, type AgentxPdu, type Oid } from '../../protocol/agentx-codec.js';

/** A master agent: records what it reads, answers Open and Register, lets the test send requests. */
export class FakeMaster {
  readonly server: Server;
  readonly received: AgentxPdu[] = [];
  socket: Socket | undefined;
  private pending = Buffer.alloc(0);
  private session = 40;

  constructor(readonly path: string) {
    this.server = createServer((s) => {
      this.socket = s;
      s.on('data', (chunk: Buffer) => {
        this.pending = Buffer.concat([this.pending, chunk]);
        const { pdus, rest } = splitPdus(this.pending);
        this.pending = Buffer.from(rest);
        for (const raw of pdus) this.onPdu(s, decodePdu(raw));
      });
      s.on('error', () => undefined);
    });
  }

  listen(): Promise<void> {
    return new Promise((r) => this.server.listen(this.path, r));
  }

  close(): Promise<void> {
    this.socket?.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }

  private onPdu(s: Socket, pdu: AgentxPdu): void {
    this.received.push(pdu);
    const ids = { sessionId: pdu.kind === 'open' ? ++this.session : pdu.sessionId, transactionId: pdu.transactionId, packetId: pdu.packetId };
    if (pdu.kind === 'open' || pdu.kind === 'register' || pdu.kind === 'notify') s.write(encodeResponse(ids, 0, 0, 0, []));
  }

  async until<T>(what: string, find: () => T | undefined): Promise<T> {
    for (let i = 0; i < 400; i++) {
      const found = find();
      if (found !== undefined) return found;
      await delay(25);
    }
    throw new Error(`the master never saw ${what}: ${JSON.stringify(this.received.map((p) => p.kind))}`);
  }

  kinds(kind: AgentxPdu['kind']): AgentxPdu[] {
    return this.received.filter((p) => p.kind === kind);
  }
}

/** A GetNext from the master (header in network byte order), starting after `start`. */
export function getNext(sessionId: number, packetId: number, start: Oid): Buffer {
  const rest = start.slice(5);
  const payload = Buffer.alloc(4 + rest.length * 4 + 4);
  payload.writeUInt8(rest.length, 0);
  payload.writeUInt8(start[4]!, 1);
  rest.forEach((v, i) => payload.writeUInt32BE(v, 4 + i * 4));
  const header = Buffer.alloc(20);
  header.writeUInt8(1, 0);
  header.writeUInt8(AgentxPduType.GetNext, 1);
  header.writeUInt8(0x10, 2);
  header.writeUInt32BE(sessionId, 4);
  header.writeUInt32BE(packetId, 12);
  header.writeUInt32BE(payload.length, 16);
  return Buffer.concat([header, payload]);
}
