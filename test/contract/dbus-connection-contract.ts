/**
 * The DbusConnection contract (transport/dbus-connection.ts), judged from the bus: what busctl sees on a private
 * system bus (test/real/dbus-peers.ts: its name list, a method call's reply, a monitor's signals). The simulator
 * has no DBus: the suite runs on the real connection (transport/real/dbus-next-connection.ts) and on broken ones,
 * which must fail it.
 */
import assert from 'node:assert/strict';
import type { DbusCall, DbusConnection, DbusConnectionOptions, DbusReply } from '../../transport/dbus-connection.js';
import { pollUntil, type ContractCase } from './contract.js';

export interface DbusRig {
  /** The name the bus's policy lets the connection own and the caller (root) call. */
  readonly name: string;
  /** A connection to the rig's bus; the rig closes it after the case, whatever its own close() does. */
  make(options: DbusConnectionOptions): DbusConnection;
  /** A connection to a bus that does not exist. */
  unreachable(options: DbusConnectionOptions): DbusConnection;
  /** busctl --system on the rig's bus: its output, or a rejection with its error. */
  busctl(args: readonly string[]): Promise<string>;
  /** Starts watching the service's signals on the bus: [path, member] of each seen so far. */
  watch(): { signals(): [string, string][]; stop(): void };
  /** Closes what the case made. */
  close(): void;
}

const PATH = '/org/keepalived/Vrrp1/Vrrp';
const IFACE = 'org.keepalived.Vrrp1.Vrrp';
const log = { info: () => undefined, warn: () => undefined };

function options(name: string, answer: (call: DbusCall) => DbusReply | undefined): DbusConnectionOptions {
  return { name, onCall: answer, log };
}

async function owned(rig: DbusRig): Promise<boolean> {
  const list = await rig.busctl(['list', '--no-legend']).catch(() => '');
  return list.split('\n').some((l) => l.startsWith(`${rig.name} `));
}

export const dbusConnectionContract: readonly ContractCase<DbusRig>[] = [
  {
    name: 'open owns the name; a method call reaches onCall as sent, and its return goes back to the caller',
    async check(rig) {
      try {
        const calls: DbusCall[] = [];
        const c = rig.make(options(rig.name, (call) => (calls.push(call), { kind: 'return', signature: 's', body: [`pong ${String(call.body[0])}`] })));
        await c.open();
        assert.ok(await owned(rig), `${rig.name} on the bus`);
        const out = await rig.busctl(['call', rig.name, PATH, IFACE, 'Ping', 's', 'hello']);
        assert.equal(out.trim(), 's "pong hello"');
        const ping = calls.find((x) => x.member === 'Ping');
        assert.deepEqual(ping && { path: ping.path, interface: ping.interface, signature: ping.signature, body: ping.body }, { path: PATH, interface: IFACE, signature: 's', body: ['hello'] });
      } finally {
        rig.close();
      }
    },
  },
  {
    name: 'an error reply is that DBus error at the caller',
    async check(rig) {
      try {
        const c = rig.make(options(rig.name, () => ({ kind: 'error', name: 'org.keepalived.Vrrp1.Error.Test', message: 'refused by the test' })));
        await c.open();
        await assert.rejects(rig.busctl(['call', rig.name, PATH, IFACE, 'Ping', 's', 'x']), /refused by the test/);
      } finally {
        rig.close();
      }
    },
  },
  {
    name: "a signal reaches the bus's listeners from its path",
    async check(rig) {
      const watch = rig.watch();
      try {
        const c = rig.make(options(rig.name, () => undefined));
        await c.open();
        // The monitor may start after the first signals: send until one is seen (a bound, not a speed goal).
        await pollUntil(
          () => {
            c.signal(PATH, IFACE, 'VrrpStarted', '', []);
            return watch.signals().some(([p, m]) => p === PATH && m === 'VrrpStarted');
          },
          'VrrpStarted seen by a monitor',
          15_000,
          250,
        );
      } finally {
        watch.stop();
        rig.close();
      }
    },
  },
  {
    name: 'without a bus open rejects',
    async check(rig) {
      try {
        const c = rig.unreachable(options(rig.name, () => undefined));
        await assert.rejects(c.open());
      } finally {
        rig.close();
      }
    },
  },
  {
    name: 'close gives the name back',
    async check(rig) {
      try {
        const c = rig.make(options(rig.name, () => undefined));
        await c.open();
        assert.ok(await owned(rig));
        c.close();
        await pollUntil(async () => !(await owned(rig)), `${rig.name} released`, 10_000, 100);
      } finally {
        rig.close();
      }
    },
  },
];
