/**
 * The AgentX subagent contract (transport/agentx-subagent.ts, RFC 2741), judged from the master agent's side of the
 * socket (./agentx-master.ts; test/real/snmp-keepalived-differential.test.ts runs the real one against snmpd): it
 * opens a session and registers its subtrees; answers requests however the stream cuts them, from the MIB as it
 * is (rebuilt at most every 100 ms); a notification raised before the session is open goes out once it is; when
 * the master goes away it says so once and comes back by itself; stop() closes the session (reason shutdown). The
 * simulator has no SNMP: the suite runs on the real subagent and on broken ones, which must fail it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { CloseReason, decodePdu, splitPdus, VarType, type AgentxPdu, type Oid, type VarBind } from '../../protocol/agentx-codec.js';
import { MibView } from '../../protocol/snmp-view.js';
import type { AgentxSubagentOptions, Subagent } from '../../transport/agentx-subagent.js';
import type { ContractCase } from './contract.js';
import { FakeMaster, getNext } from './agentx-master.js';

export interface SubagentRig {
  /** The subagent under test, made with these options; `dispose` stops it, whatever its own stop() does. */
  make(options: AgentxSubagentOptions): { agent: Subagent; dispose(): void };
}

const SUBTREE: Oid = [1, 3, 6, 1, 4, 1, 9586, 100, 5, 2];
const name = (n: number, oid: Oid = [...SUBTREE, 3, 1, 2, n]): VarBind => ({ oid, type: VarType.OctetString, value: Buffer.from(`VI_${n}`) });

interface World {
  master: FakeMaster;
  readonly path: string;
  readonly logs: string[];
  /** The MIB the subagent serves; a case may change it. */
  view: MibView;
  readonly agent: Subagent;
}

/** A master at a fresh path, and the rig's subagent pointed at it (not started). */
async function world(rig: SubagentRig, body: (w: World) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-agentx-'));
  const path = join(dir, 'master');
  const master = new FakeMaster(path);
  await master.listen();
  const logs: string[] = [];
  const w = { master, path, logs, view: new MibView([name(1), name(2)]) } as Omit<World, 'agent'> & { agent?: Subagent };
  const made = rig.make({
    socket: `unix:${path}`,
    description: 'vigil contract',
    subtrees: [SUBTREE],
    view: () => w.view,
    log: { info: (m) => logs.push(`info ${m}`), warn: (m) => logs.push(`warn ${m}`) },
    retryMs: 100,
  });
  w.agent = made.agent;
  try {
    await body(w as World);
  } finally {
    made.dispose();
    await w.master.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The master's responses to its own requests (packet ids from 100). */
function responses(master: FakeMaster): AgentxPdu[] {
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
  return replies;
}

const firstVarbind = (p: AgentxPdu | undefined) => (p?.kind === 'response' ? p.varbinds[0] : undefined);

export const subagentContract: readonly ContractCase<SubagentRig>[] = [
  {
    name: 'opens a session with its description and registers its subtree',
    async check(rig) {
      await world(rig, async ({ master, agent }) => {
        agent.start();
        const open = await master.until('Open', () => master.kinds('open')[0]);
        assert.ok(open.kind === 'open' && open.description === 'vigil contract');
        const reg = await master.until('Register', () => master.kinds('register')[0]);
        assert.ok(reg.kind === 'register');
        assert.deepEqual(reg.subtree, SUBTREE);
      });
    },
  },
  {
    name: 'answers requests however the stream cuts them, in order, from the MIB as it is now',
    async check(rig) {
      await world(rig, async (w) => {
        const { master, agent } = w;
        agent.start();
        const reg = await master.until('Register', () => master.kinds('register')[0]);
        const replies = responses(master);
        // Two requests in one write, then one request in two writes.
        master.socket!.write(Buffer.concat([getNext(reg.sessionId, 100, SUBTREE), getNext(reg.sessionId, 101, [...SUBTREE, 3, 1, 2, 1])]));
        const third = getNext(reg.sessionId, 102, [...SUBTREE, 3, 1, 2, 2]);
        master.socket!.write(third.subarray(0, 13));
        await delay(50);
        master.socket!.write(third.subarray(13));
        await master.until('three responses', () => (replies.length === 3 ? true : undefined));
        assert.deepEqual(firstVarbind(replies[0])?.oid, [...SUBTREE, 3, 1, 2, 1]);
        assert.deepEqual(firstVarbind(replies[1])?.oid, [...SUBTREE, 3, 1, 2, 2]);
        assert.equal(firstVarbind(replies[2])?.type, VarType.EndOfMibView);
        // The MIB changes: a request a little later sees it (a walk's requests share one build for up to 100 ms).
        w.view = new MibView([name(1), name(2), name(3)]);
        await delay(300);
        master.socket!.write(getNext(reg.sessionId, 103, [...SUBTREE, 3, 1, 2, 2]));
        await master.until('a fourth response', () => (replies.length === 4 ? true : undefined));
        assert.deepEqual(firstVarbind(replies[3])?.oid, [...SUBTREE, 3, 1, 2, 3]);
      });
    },
  },
  {
    name: 'a notification raised before the session is open goes out once it is',
    async check(rig) {
      await world(rig, async ({ master, agent }) => {
        agent.notify([...SUBTREE, 10, 0, 2], [name(1, [...SUBTREE, 3, 1, 2])]);
        agent.start();
        const notify = await master.until('the queued Notify', () => master.kinds('notify')[0]);
        assert.ok(notify.kind === 'notify');
        const trap = notify.varbinds[1];
        assert.deepEqual(trap?.type === VarType.ObjectIdentifier ? trap.value : [], [...SUBTREE, 10, 0, 2]);
      });
    },
  },
  {
    name: 'when the master goes away it says so once and comes back by itself: a new session and registration',
    async check(rig) {
      await world(rig, async (w) => {
        w.agent.start();
        await w.master.until('Register', () => w.master.kinds('register')[0]);
        await w.master.close();
        await delay(400);
        w.master = new FakeMaster(w.path);
        await w.master.listen();
        await w.master.until('a new Register', () => w.master.kinds('register')[0]);
        assert.equal(w.logs.filter((l) => l.startsWith('warn')).length, 1, w.logs.join('\n'));
        assert.equal(w.logs.filter((l) => l.includes('connected')).length, 2, w.logs.join('\n'));
      });
    },
  },
  {
    name: 'stop closes the session with reason shutdown',
    async check(rig) {
      await world(rig, async ({ master, agent }) => {
        agent.start();
        await master.until('Register', () => master.kinds('register')[0]);
        agent.stop();
        const close = await master.until('Close', () => master.kinds('close')[0]);
        assert.ok(close.kind === 'close' && close.reason === CloseReason.shutdown);
      });
    },
  },
];
