/**
 * The LoadBalancerBackend contract (transport/lb/load-balancer.ts), judged from what the kernel (or its stand-in,
 * or the simulated backend's state) holds after each step, not only from the backend's own report: a state
 * applied is what the kernel holds; the same state again changes nothing; a new one replaces it; an invalid one
 * is refused and changes nothing; clear() removes all vigil made, twice is harmless, and the state applies again.
 */
import assert from 'node:assert/strict';
import type { AddressService, DesiredState } from '../../machines/desired-state.js';
import type { LoadBalancerBackend } from '../../transport/lb/load-balancer.js';
import { natDestination, webService } from '../lb/fixtures.js';
import { thenClear, type ContractCase } from './contract.js';

export interface BackendRig {
  readonly backend: LoadBalancerBackend;
  /** The destinations that can take connections now, as the kernel holds them: address:port, sorted. */
  live(): Promise<string[]>;
  /** Whether anything vigil made is left (services, tables). */
  leftovers(): Promise<boolean>;
}

const web: AddressService = webService('rr', [natDestination(67, 8080, 1), natDestination(68, 8080, 1), natDestination(69, 8080, 0)]);
export const ONE: DesiredState = { services: [web] };
export const TWO: DesiredState = {
  services: [
    { ...web, scheduler: 'wrr', destinations: web.destinations.map((d, i) => ({ ...d, weight: i + 1 })) },
    { kind: 'fwmark', key: 'fw', protocol: 'udp', family: 4, fwmark: 5, scheduler: 'sh', destinations: [{ address: '192.168.77.70', port: 0, weight: 1, forwarding: 'NAT' }] },
  ],
};
const LIVE_ONE = ['192.168.77.67:8080', '192.168.77.68:8080'];
const LIVE_TWO = ['192.168.77.67:8080', '192.168.77.68:8080', '192.168.77.69:8080', '192.168.77.70:0'];

/** Runs a case and clears after it, so the next starts from nothing. */
const cleanly = (rig: BackendRig, body: () => Promise<void>): Promise<void> => thenClear(() => rig.backend.clear(), body);

export const backendContract: readonly ContractCase<BackendRig>[] = [
  {
    name: 'a state applied is what the kernel holds, and the report counts it',
    check: (rig) =>
      cleanly(rig, async () => {
        const report = await rig.backend.apply(ONE);
        assert.equal(report.backend, rig.backend.name);
        assert.equal(report.changed, true);
        assert.equal(report.services, 1);
        assert.equal(report.liveDestinations, 2);
        assert.deepEqual(await rig.live(), LIVE_ONE);
      }),
  },
  {
    name: 'the same state again changes nothing',
    check: (rig) =>
      cleanly(rig, async () => {
        await rig.backend.apply(ONE);
        const again = await rig.backend.apply(ONE);
        assert.equal(again.changed, false);
        assert.equal(again.operations, 0);
        assert.deepEqual(await rig.live(), LIVE_ONE);
      }),
  },
  {
    name: 'a new state replaces the old: destinations added and reweighted, a service added',
    check: (rig) =>
      cleanly(rig, async () => {
        await rig.backend.apply(ONE);
        const next = await rig.backend.apply(TWO);
        assert.equal(next.changed, true);
        assert.equal(next.services, 2);
        assert.equal(next.liveDestinations, 4);
        assert.deepEqual(await rig.live(), LIVE_TWO);
        assert.equal((await rig.backend.apply(ONE)).changed, true);
        assert.deepEqual(await rig.live(), LIVE_ONE, 'and back: what left the state leaves the kernel');
      }),
  },
  {
    name: 'an invalid state (a duplicate service) is refused and changes nothing',
    check: (rig) =>
      cleanly(rig, async () => {
        await rig.backend.apply(TWO);
        await assert.rejects(rig.backend.apply({ services: [web, { ...web, key: 'copy' }] }), /duplicate/);
        assert.deepEqual(await rig.live(), LIVE_TWO);
        assert.equal((await rig.backend.apply(TWO)).changed, false, 'the refused state was not taken for the current one');
      }),
  },
  {
    name: 'clear() removes all vigil made, twice is harmless; then the state applies again',
    check: (rig) =>
      cleanly(rig, async () => {
        await rig.backend.apply(TWO);
        await rig.backend.clear();
        await rig.backend.clear();
        assert.deepEqual(await rig.live(), []);
        assert.equal(await rig.leftovers(), false);
        assert.equal((await rig.backend.apply(TWO)).changed, true);
        assert.deepEqual(await rig.live(), LIVE_TWO);
      }),
  },
];
