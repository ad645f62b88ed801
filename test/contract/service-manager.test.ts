/**
 * The ServiceManager contract (service-manager-contract.ts) on sd_notify over the addon (transport/real/sd-notify.ts),
 * to a socket bound at a path and at an abstract name (test/liveness/fake-notify-socket.ts stands for systemd's
 * end); broken managers must fail it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nativeAvailable, openUnixDatagramSocket } from '../../native/index.js';
import { SdNotify } from '../../transport/real/sd-notify.js';
import type { ServiceManager } from '../../transport/service-manager.js';
import { fakeNotifySocket } from '../liveness/fake-notify-socket.js';
import { failingCases, runContract } from './contract.js';
import { serviceManagerContract, type ServiceManagerRig } from './service-manager-contract.js';

const skip = nativeAvailable() ? false : 'vigil_native addon not built (npm run build:native)';
const NOWHERE = '/nonexistent-vigil-contract/notify.sock';

type Fault = 'silent watchdog' | 'stopping as a status' | 'no monotonic time' | 'status as sent' | 'unguarded send';

/** A manager that writes its own datagrams, right but for its fault. */
class BrokenManager implements ServiceManager {
  readonly watchdogMs = undefined;
  private readonly socket = openUnixDatagramSocket();
  constructor(
    private readonly address: string,
    private readonly fault: Fault,
  ) {}
  private line(text: string): string {
    return this.fault === 'status as sent' ? text : text.replace(/[\r\n]+/g, ' ');
  }
  private send(fields: string[]): void {
    try {
      this.socket.send(this.address, Buffer.from(`${fields.join('\n')}\n`));
    } catch (err) {
      if (this.fault === 'unguarded send') throw err;
    }
  }
  ready(status: string): void {
    this.send(['READY=1', `STATUS=${this.line(status)}`]);
  }
  reloading(status: string): void {
    const monotonic = this.fault === 'no monotonic time' ? [] : [`MONOTONIC_USEC=${process.hrtime.bigint() / 1000n}`];
    this.send(['RELOADING=1', ...monotonic, `STATUS=${this.line(status)}`]);
  }
  stopping(status: string): void {
    this.send(this.fault === 'stopping as a status' ? [`STATUS=${this.line(status)}`] : ['STOPPING=1', `STATUS=${this.line(status)}`]);
  }
  status(text: string): void {
    this.send([`STATUS=${this.line(text)}`]);
  }
  watchdog(): void {
    if (this.fault !== 'silent watchdog') this.send(['WATCHDOG=1']);
  }
  close(): void {
    this.socket.close();
  }
}

function rig(make: (address: string) => ServiceManager & { close(): void }, abstract = false): () => ServiceManagerRig {
  return () => {
    const sink = fakeNotifySocket({ abstract });
    const manager = make(sink.address);
    const unheard: (ServiceManager & { close(): void })[] = [];
    return {
      manager,
      received: sink.received,
      unheard: () => {
        const m = make(NOWHERE);
        unheard.push(m);
        return m;
      },
      close: () => {
        manager.close();
        for (const m of unheard) m.close();
        sink.close();
      },
    };
  };
}

const real = (address: string) => new SdNotify({ socket: address, watchdogMs: undefined });

test('service manager contract: sd_notify to a socket at a path', { skip }, async (t) => {
  await runContract(t, serviceManagerContract, rig(real));
});

test('service manager contract: sd_notify to an abstract socket', { skip }, async (t) => {
  await runContract(t, serviceManagerContract, rig(real, true));
});

test('service manager contract: broken managers fail it', { skip }, async () => {
  const [plain, reloading, oneLine, unheard] = serviceManagerContract.map((c) => c.name);
  const failing = (fault: Fault) => failingCases(serviceManagerContract, rig((address) => new BrokenManager(address, fault)));
  assert.deepEqual(await failingCases(serviceManagerContract, rig(real)), []);
  assert.deepEqual(await failing('silent watchdog'), [plain]);
  assert.deepEqual(await failing('stopping as a status'), [plain]);
  assert.deepEqual(await failing('no monotonic time'), [reloading]);
  assert.deepEqual(await failing('status as sent'), [oneLine]);
  assert.deepEqual(await failing('unguarded send'), [unheard]);
});
