/**
 * The DbusConnection contract (dbus-connection-contract.ts) on dbus-next (transport/real/dbus-next-connection.ts)
 * and a private dbus-daemon with vigil's policy (test/real/dbus-peers.ts); broken connections must fail it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireNetns } from '../netns/harness.js';
import { commandsAvailable, testLan } from '../real/daemon-sites.js';
import { OTHER_NAME, busctl, monitor, startBus, type TestBus } from '../real/dbus-peers.js';
import { DbusNextConnection } from '../../transport/real/dbus-next-connection.js';
import type { DbusConnection, DbusConnectionOptions } from '../../transport/dbus-connection.js';
import { failingCases, runContract } from './contract.js';
import { dbusConnectionContract, type DbusRig } from './dbus-connection-contract.js';

type Fault = 'signals dropped' | 'errors as returns' | 'open without a bus resolves' | 'close keeps the name';

/** A connection that reaches the bus at `address` (dbus-next reads DBUS_SYSTEM_BUS_ADDRESS when it connects). */
function at(address: string, inner: DbusConnection): DbusConnection {
  return {
    open: () => {
      process.env['DBUS_SYSTEM_BUS_ADDRESS'] = address;
      return inner.open();
    },
    signal: (...args) => inner.signal(...args),
    close: () => inner.close(),
  };
}

function rig(bus: TestBus, fault?: Fault): () => DbusRig {
  return () => {
    const made: DbusConnection[] = [];
    const make = (address: string, options: DbusConnectionOptions): DbusConnection => {
      const onCall: DbusConnectionOptions['onCall'] =
        fault === 'errors as returns'
          ? (call) => {
              const reply = options.onCall(call);
              return reply?.kind === 'error' ? { kind: 'return', signature: '', body: [] } : reply;
            }
          : options.onCall;
      const inner = new DbusNextConnection({ ...options, onCall });
      made.push(inner);
      const real = at(address, inner);
      return {
        open: fault === 'open without a bus resolves' ? () => real.open().catch(() => undefined) : () => real.open(),
        signal: fault === 'signals dropped' ? () => undefined : (...args) => real.signal(...args),
        close: fault === 'close keeps the name' ? () => undefined : () => real.close(),
      };
    };
    return {
      name: OTHER_NAME,
      make: (options) => make(bus.address, options),
      unreachable: (options) => make('unix:path=/nonexistent/vigil-contract-dbus', options),
      busctl: (args) => busctl(bus, args),
      watch: () => {
        const m = monitor(bus, OTHER_NAME);
        return { signals: () => m.signals().map(([p, member]) => [p, member] as [string, string]), stop: () => m.stop() };
      },
      close: () => {
        for (const c of made.splice(0)) c.close();
      },
    };
  };
}

test('DbusConnection contract: dbus-next on a private system bus, and broken connections fail it', { timeout: 300_000 }, async (t) => {
  if (!requireNetns(t, commandsAvailable('dbus-daemon', 'busctl'))) return;
  const saved = process.env['DBUS_SYSTEM_BUS_ADDRESS'];
  const lan = await testLan({ name: 'a11dbus', hosts: ['h'], v4Start: 231 });
  try {
    const bus = await startBus(lan, lan.host('h'), mkdtempSync(join(tmpdir(), 'vigil-audit11-dbus-')));
    await t.test('dbus-next', (st) => runContract(st, dbusConnectionContract, rig(bus)));
    await t.test('broken connections', async () => {
      const [, errors, signals, noBus, closing] = dbusConnectionContract.map((c) => c.name);
      assert.deepEqual(await failingCases(dbusConnectionContract, rig(bus, 'signals dropped')), [signals]);
      assert.deepEqual(await failingCases(dbusConnectionContract, rig(bus, 'errors as returns')), [errors]);
      assert.deepEqual(await failingCases(dbusConnectionContract, rig(bus, 'open without a bus resolves')), [noBus]);
      assert.deepEqual(await failingCases(dbusConnectionContract, rig(bus, 'close keeps the name')), [closing]);
    });
  } finally {
    if (saved === undefined) delete process.env['DBUS_SYSTEM_BUS_ADDRESS'];
    else process.env['DBUS_SYSTEM_BUS_ADDRESS'] = saved;
    await lan.cleanup();
  }
});
