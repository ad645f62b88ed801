/**
 * The ServiceManager contract (transport/service-manager.ts), judged from what reaches the service manager's end of
 * NOTIFY_SOCKET (sd_notify(3)): one datagram per call, its assignments one per line, sent by this process. The
 * simulator has no service manager: the suite runs on the real one (transport/real/sd-notify.ts) at a path and at
 * an abstract name, and on broken ones, which must fail it.
 */
import assert from 'node:assert/strict';
import type { ServiceManager } from '../../transport/service-manager.js';
import { pollUntil, type ContractCase } from './contract.js';

export interface ServiceManagerRig {
  /** Tells the service manager's end of the socket the rig listens at. */
  readonly manager: ServiceManager;
  /** The datagrams received so far, each as its assignments in order, with the pid the kernel says sent it. */
  readonly received: readonly { readonly fields: readonly string[]; readonly pid: number }[];
  /** A manager whose socket nobody listens at. */
  unheard(): ServiceManager;
  close(): void;
}

/** The datagrams once `count` have arrived (datagrams on one socket keep their order). */
async function datagrams(rig: ServiceManagerRig, count: number): Promise<string[][]> {
  await pollUntil(() => rig.received.length >= count, `${count} notification(s)`, 5000);
  return rig.received.map((n) => [...n.fields]);
}

function monotonicUsec(): bigint {
  return process.hrtime.bigint() / 1000n;
}

export const serviceManagerContract: readonly ContractCase<ServiceManagerRig>[] = [
  {
    name: 'ready, stopping, status and watchdog: one datagram each, in order, with their assignments, sent by this process',
    async check(rig) {
      try {
        rig.manager.ready('2 VRRP instance(s)');
        rig.manager.status('reloading soon');
        rig.manager.watchdog();
        rig.manager.stopping('stopping');
        assert.deepEqual(await datagrams(rig, 4), [['READY=1', 'STATUS=2 VRRP instance(s)'], ['STATUS=reloading soon'], ['WATCHDOG=1'], ['STOPPING=1', 'STATUS=stopping']]);
        assert.ok(rig.received.every((n) => n.pid === process.pid), 'the kernel names this process as the sender');
      } finally {
        rig.close();
      }
    },
  },
  {
    name: 'reloading: RELOADING=1 with CLOCK_MONOTONIC now in MONOTONIC_USEC (systemd 253+), and its status',
    async check(rig) {
      try {
        const before = monotonicUsec();
        rig.manager.reloading('reloading');
        const after = monotonicUsec();
        const [fields] = await datagrams(rig, 1);
        assert.equal(fields![0], 'RELOADING=1');
        assert.equal(fields!.at(-1), 'STATUS=reloading');
        const usec = fields!.find((f) => f.startsWith('MONOTONIC_USEC='))?.slice('MONOTONIC_USEC='.length);
        assert.match(usec ?? '', /^[1-9][0-9]*$/);
        assert.ok(BigInt(usec!) >= before && BigInt(usec!) <= after, `MONOTONIC_USEC ${usec} between ${before} and ${after}`);
        assert.equal(fields!.length, 3);
      } finally {
        rig.close();
      }
    },
  },
  {
    name: 'a status is one line: a newline in it never starts another assignment',
    async check(rig) {
      try {
        rig.manager.status('first\nREADY=1');
        rig.manager.ready('a\r\nb');
        assert.deepEqual(await datagrams(rig, 2), [['STATUS=first READY=1'], ['READY=1', 'STATUS=a b']]);
      } finally {
        rig.close();
      }
    },
  },
  {
    name: 'a socket nobody listens at: every call returns, none throws',
    async check(rig) {
      try {
        const unheard = rig.unheard();
        unheard.ready('x');
        unheard.reloading('x');
        unheard.status('x');
        unheard.watchdog();
        unheard.stopping('x');
      } finally {
        rig.close();
      }
    },
  },
];
