/**
 * The IPVS backend: converges the kernel's IPVS table to the desired state over generic netlink, the way
 * keepalived's check daemon drives ip_vs (add/edit/delete of services and real servers), touching only the
 * services vigil created or was asked to manage.
 */
import { assertValidDesiredState, type DesiredState, type VirtualService } from '../../../machines/desired-state.js';
import { BackendUnavailableError, type ApplyReport, type LoadBalancerBackend } from '../../lb/load-balancer.js';
import { NetlinkError, SocketGenlChannel, type GenlChannel } from './genl-channel.js';
import {
  decodeIpvsMessage,
  delDestMessage,
  delServiceMessage,
  getDestsMessage,
  getServicesMessage,
  IPVS_GENL_NAME,
  newDestMessage,
  newServiceMessage,
  setDestMessage,
  setServiceMessage,
  type IpvsDest,
  type IpvsService,
} from '../../../protocol/ipvs-messages.js';
import { destDiffers, ipvsDestId, ipvsServiceId, serviceDiffers, toIpvsDest, toIpvsService } from './ipvs-mapping.js';

export const IPVS_UNAVAILABLE = 'IPVS not available in this kernel (no "IPVS" generic netlink family)';

export type IpvsAvailability = { readonly ok: true; readonly familyId: number } | { readonly ok: false; readonly reason: string };

/** Whether the kernel has IPVS: looks up the "IPVS" generic netlink family (the kernel may autoload ip_vs). */
export async function probeIpvs(channel?: GenlChannel): Promise<IpvsAvailability> {
  const own = channel === undefined;
  let ch: GenlChannel | undefined = channel;
  try {
    ch ??= new SocketGenlChannel();
    const id = await ch.resolveFamily(IPVS_GENL_NAME);
    return id === undefined ? { ok: false, reason: IPVS_UNAVAILABLE } : { ok: true, familyId: id };
  } catch (error) {
    return { ok: false, reason: `cannot query generic netlink: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    if (own) ch?.close();
  }
}

/** Every destination IPVS should hold: all of them (weight 0 = inhibited), plus the sorry server when none is up. */
function wantedDests(service: VirtualService): IpvsDest[] {
  const dests = service.destinations.map((d) => toIpvsDest(d, service));
  const anyUp = service.destinations.some((d) => d.weight > 0);
  if (!anyUp && service.sorry !== undefined) dests.push(toIpvsDest({ ...service.sorry, weight: Math.max(1, service.sorry.weight) }, service));
  return dests;
}

export class IpvsBackend implements LoadBalancerBackend {
  readonly name = 'ipvs';
  readonly #channel: GenlChannel;
  #familyId: number | undefined;
  /** Services this backend created or took over, by kernel identity. */
  readonly #owned = new Map<string, IpvsService>();

  constructor(channel?: GenlChannel) {
    this.#channel = channel ?? new SocketGenlChannel();
  }

  async apply(state: DesiredState): Promise<ApplyReport> {
    assertValidDesiredState(state);
    const familyId = await this.#family();
    let operations = 0;
    const send = async (what: string, build: (seq: number) => Uint8Array): Promise<void> => {
      operations++;
      await this.#channel.request(build, what);
    };

    const kernel = new Map<string, IpvsService>();
    for (const reply of await this.#channel.request((seq) => getServicesMessage({ familyId, seq }), 'IPVS_CMD_GET_SERVICE')) {
      const { service } = decodeIpvsMessage(reply);
      if (service !== undefined) kernel.set(ipvsServiceId(service), service);
    }

    const wanted = new Map(state.services.map((s) => [ipvsServiceId(toIpvsService(s)), s] as const));
    for (const [id, service] of [...this.#owned]) {
      if (wanted.has(id)) continue;
      if (kernel.has(id)) await send(`delete service ${id}`, (seq) => delServiceMessage({ familyId, seq }, service));
      this.#owned.delete(id);
    }

    let live = 0;
    for (const [id, service] of wanted) {
      const target = toIpvsService(service);
      const actual = kernel.get(id);
      const present = new Map<string, IpvsDest>();
      if (actual === undefined) {
        await send(`add service ${service.key}`, (seq) => newServiceMessage({ familyId, seq }, target));
      } else {
        if (serviceDiffers(actual, target)) await send(`edit service ${service.key}`, (seq) => setServiceMessage({ familyId, seq }, target));
        const replies = await this.#channel.request((seq) => getDestsMessage({ familyId, seq }, target), 'IPVS_CMD_GET_DEST');
        for (const reply of replies) {
          const { dest } = decodeIpvsMessage(reply);
          if (dest !== undefined) present.set(ipvsDestId(dest), dest);
        }
      }
      this.#owned.set(id, target);
      const dests = wantedDests(service);
      live += dests.filter((d) => d.weight > 0).length;
      const keep = new Set(dests.map(ipvsDestId));
      for (const [destId, dest] of present) {
        if (!keep.has(destId)) await send(`delete destination ${destId} of ${service.key}`, (seq) => delDestMessage({ familyId, seq }, target, dest));
      }
      for (const dest of dests) {
        const had = present.get(ipvsDestId(dest));
        if (had === undefined) await send(`add destination to ${service.key}`, (seq) => newDestMessage({ familyId, seq }, target, dest));
        else if (destDiffers(had, dest)) await send(`edit destination of ${service.key}`, (seq) => setDestMessage({ familyId, seq }, target, dest));
      }
    }
    return { backend: this.name, changed: operations > 0, services: wanted.size, liveDestinations: live, operations, approximations: [], warnings: [] };
  }

  /** Deletes the services this backend created; services added by others (ipvsadm, another daemon) stay. */
  async clear(): Promise<void> {
    if (this.#owned.size === 0) return;
    const familyId = await this.#family();
    for (const [id, service] of [...this.#owned]) {
      try {
        await this.#channel.request((seq) => delServiceMessage({ familyId, seq }, service), `delete service ${id}`);
      } catch (error) {
        // Already gone (someone ran ipvsadm -C): the goal is reached.
        if (!(error instanceof NetlinkError && error.errno === 3)) throw error;
      }
      this.#owned.delete(id);
    }
  }

  close(): void {
    this.#channel.close();
  }

  async #family(): Promise<number> {
    if (this.#familyId !== undefined) return this.#familyId;
    const id = await this.#channel.resolveFamily(IPVS_GENL_NAME);
    if (id === undefined) throw new BackendUnavailableError(IPVS_UNAVAILABLE);
    this.#familyId = id;
    return id;
  }
}
