/**
 * The RouteAnnouncer contract (transport/route-announcer.ts), judged from the tables themselves: on a real host
 * `ip route show table all proto 86` in the namespace, in the simulator the simulated host's tables. What the rig
 * gives: the announcer, the routes now, and the death of the process holding it (SIGKILL for real).
 */
import assert from 'node:assert/strict';
import type { RouteAnnouncer } from '../../transport/route-announcer.js';
import { pollUntil, type ContractCase } from './contract.js';

export interface RouteAnnouncerRig {
  readonly announcer: RouteAnnouncer;
  /** The announced routes in the kernel's tables now, `VIP table T`, sorted. */
  routes(): Promise<string[]>;
  /** The process that holds the announcer dies without a word (SIGKILL); resolves once it is gone (its routes may go a little later). */
  die(): Promise<void>;
  /**
   * Starts listening to route deletions as the host tells them to its listeners (rtnetlink's RTM_DELROUTE, what a
   * BGP speaker's zebra hears); the function returned stops and gives the deleted routes seen, `VIP table T`, sorted.
   */
  watchDeletions(): Promise<() => Promise<string[]>>;
}

const A = { vip: '192.168.77.100', table: 101 };
const B = { vip: '192.168.77.101', table: 101 };
const A_OTHER_TABLE = { vip: '192.168.77.100', table: 102 };
const V6 = { vip: 'fd77::100', table: 101 };

export const routeAnnouncerContract: readonly ContractCase<RouteAnnouncerRig>[] = [
  {
    name: 'announce puts VIP/32 in the table; again is harmless; the same VIP in another table is another route',
    async check(rig) {
      await rig.announcer.announce(A);
      await rig.announcer.announce(A);
      assert.deepEqual(await rig.routes(), ['192.168.77.100 table 101']);
      await rig.announcer.announce(A_OTHER_TABLE);
      assert.deepEqual(await rig.routes(), ['192.168.77.100 table 101', '192.168.77.100 table 102']);
      await rig.announcer.close();
    },
  },
  {
    name: 'withdraw takes that route only; withdrawing an absent route is harmless',
    async check(rig) {
      await rig.announcer.withdraw(B);
      await rig.announcer.announce(A);
      await rig.announcer.announce(B);
      await rig.announcer.announce(A_OTHER_TABLE);
      await rig.announcer.withdraw(A);
      assert.deepEqual(await rig.routes(), ['192.168.77.100 table 102', '192.168.77.101 table 101']);
      await rig.announcer.withdraw(A);
      await rig.announcer.withdraw(B);
      assert.deepEqual(await rig.routes(), ['192.168.77.100 table 102']);
      await rig.announcer.close();
    },
  },
  {
    name: 'an IPv6 VIP is a /128 route, announced and withdrawn as an IPv4 one',
    async check(rig) {
      await rig.announcer.announce(V6);
      assert.deepEqual(await rig.routes(), ['fd77::100 table 101']);
      await rig.announcer.withdraw(V6);
      assert.deepEqual(await rig.routes(), []);
      await rig.announcer.close();
    },
  },
  {
    name: 'close takes every route (vigil stops)',
    async check(rig) {
      await rig.announcer.announce(A);
      await rig.announcer.announce(V6);
      await rig.announcer.close();
      assert.deepEqual(await rig.routes(), []);
    },
  },
  {
    name: 'the process dying (SIGKILL) takes every route, without its help',
    async check(rig) {
      await rig.announcer.announce(A);
      await rig.announcer.announce(B);
      await rig.announcer.announce(V6);
      assert.equal((await rig.routes()).length, 3);
      await rig.die();
      // The kernel's (and the guardian's) doing, not the dead process's: soon after, not necessarily at once.
      await pollUntil(async () => (await rig.routes()).length === 0, 'the routes gone after the death', 20_000, 20);
    },
  },
  {
    name: 'the routes going with the process are told to the listeners, IPv4 ones too (a speaker withdraws them)',
    async check(rig) {
      await rig.announcer.announce(A);
      await rig.announcer.announce(V6);
      const seen = await rig.watchDeletions();
      await rig.die();
      await pollUntil(async () => (await rig.routes()).length === 0, 'the routes gone after the death', 20_000, 20);
      // The notifications may trail the table by a little.
      let deleted: string[] = [];
      const start = performance.now();
      do deleted = await seen();
      while (deleted.length < 2 && performance.now() - start < 20_000 && (await new Promise((r) => setTimeout(r, 50)), true));
      assert.deepEqual(deleted, ['192.168.77.100 table 101', 'fd77::100 table 101']);
    },
  },
];
