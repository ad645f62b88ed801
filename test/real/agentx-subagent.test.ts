/**
 * The AgentX subagent against a master agent played by the test (a Unix socket speaking AgentX through the codec):
 * it opens a session and registers its subtrees; answers requests however the stream cuts them; a notification
 * raised before the session is open goes out once it is; when the master goes away it says so once and comes back
 * by itself; stop() closes the session (reason shutdown). Needs no root (test/real/snmp-keepalived-differential
 * runs it against Debian's snmpd).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { AgentxPduType, CloseReason, VarType, decodePdu, encodeResponse, splitPdus, type AgentxPdu, type Oid } from '../../protocol/agentx-codec.js';
import { MibView } from '../../protocol/snmp-view.js';
import { AgentxSubagent } from '../../transport/real/agentx-subagent.js';

const SUBTREE: Oid = [1, 3, 6, 1, 4, 1, 9586, 100, 5, 2];

/** A master agent: records what it reads, answers Open and Register, lets the test send requests. */
class FakeMaster {
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
function getNext(sessionId: number, packetId: number, start: Oid): Buffer {
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

test('the subagent opens, registers, answers requests cut anyhow, queues an early notification, survives its master, closes on stop', { timeout: 60_000 }, async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'agentx-')), 'master');
  const logs: string[] = [];
  const view = new MibView([
    { oid: [...SUBTREE, 3, 1, 2, 1], type: VarType.OctetString, value: Buffer.from('VI_1') },
    { oid: [...SUBTREE, 3, 1, 2, 2], type: VarType.OctetString, value: Buffer.from('VI_2') },
  ]);
  let master = new FakeMaster(path);
  await master.listen();
  const agent = new AgentxSubagent({
    socket: `unix:${path}`,
    description: 'vigil test',
    subtrees: [SUBTREE],
    view: () => view,
    log: { info: (m) => logs.push(`info ${m}`), warn: (m) => logs.push(`warn ${m}`) },
    retryMs: 100,
  });
  try {
    // Raised before the session exists: sent once it does.
    agent.notify([...SUBTREE, 10, 0, 2], [{ oid: [...SUBTREE, 3, 1, 2], type: VarType.OctetString, value: Buffer.from('VI_1') }]);
    agent.start();
    const open = await master.until('Open', () => master.kinds('open')[0]);
    assert.ok(open.kind === 'open' && open.description === 'vigil test');
    const reg = await master.until('Register', () => master.kinds('register')[0]);
    assert.ok(reg.kind === 'register');
    assert.deepEqual(reg.subtree, SUBTREE);
    const notify = await master.until('the queued Notify', () => master.kinds('notify')[0]);
    assert.ok(notify.kind === 'notify');
    assert.deepEqual(notify.varbinds[1]!.type === VarType.ObjectIdentifier ? notify.varbinds[1]!.value : [], [...SUBTREE, 10, 0, 2]);

    // Two requests in one write, then one request in two writes.
    const sessionId = reg.sessionId;
    const replies: AgentxPdu[] = [];
    let pending = Buffer.alloc(0);
    master.socket!.on('data', (c: Buffer) => {
      pending = Buffer.concat([pending, c]);
      const { pdus, rest } = splitPdus(pending);
      pending = Buffer.from(rest);
      for (const p of pdus) {
        const pdu = decodePdu(p);
        if (pdu.kind === 'response' && pdu.packetId >= 100) replies.push(pdu);
      }
    });
    master.socket!.write(Buffer.concat([getNext(sessionId, 100, SUBTREE), getNext(sessionId, 101, [...SUBTREE, 3, 1, 2, 1])]));
    const third = getNext(sessionId, 102, [...SUBTREE, 3, 1, 2, 2]);
    master.socket!.write(third.subarray(0, 13));
    await delay(50);
    master.socket!.write(third.subarray(13));
    await master.until('three responses', () => (replies.length === 3 ? true : undefined));
    const first = (p: AgentxPdu) => (p.kind === 'response' ? p.varbinds[0] : undefined);
    assert.deepEqual(first(replies[0]!)?.oid, [...SUBTREE, 3, 1, 2, 1]);
    assert.deepEqual(first(replies[1]!)?.oid, [...SUBTREE, 3, 1, 2, 2]);
    assert.equal(first(replies[2]!)?.type, VarType.EndOfMibView);

    // The master goes away and comes back: one warning, then a new session and registration.
    await master.close();
    await delay(400);
    master = new FakeMaster(path);
    await master.listen();
    await master.until('a new Register', () => master.kinds('register')[0]);
    assert.equal(logs.filter((l) => l.startsWith('warn')).length, 1, logs.join('\n'));
    assert.equal(logs.filter((l) => l.includes('connected')).length, 2, logs.join('\n'));

    agent.stop();
    const close = await master.until('Close', () => master.kinds('close')[0]);
    assert.ok(close.kind === 'close' && close.reason === CloseReason.shutdown);
  } finally {
    agent.stop();
    await master.close().catch(() => undefined);
  }
});
