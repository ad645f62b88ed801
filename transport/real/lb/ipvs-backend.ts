/**
 * The IPVS backend: converges the kernel's IPVS table to the desired state over generic netlink, the way
 * keepalived's check daemon drives ip_vs (add/edit/delete of services and real servers), touching only the
 * services vigil created or was asked to manage.
 */
import { assertValidDesiredState, type DesiredState, type LbTimeouts, type VirtualService } from '../../../machines/desired-state.js';
import { BackendUnavailableError, type ApplyReport, type ClearMode, type LoadBalancerBackend } from '../../lb/load-balancer.js';
import { decodeTimeouts, getTimeoutsMessage, setTimeoutsMessage, type IpvsTimeouts } from '../../../protocol/ipvs-daemon-messages.js';
import { IpvsSyncDaemon } from './ipvs-sync-daemon.js';
import { NetlinkError, SocketGenlChannel, type GenlChannel } from './genl-channel.js';
import {
  decodeIpvsMessage,
  delDestMessage,
  delServiceMessage,
  flushMessage,
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

const ESRCH = 3;
const ENOENT = 2;

/** The timeouts to send: the configured ones, the others as they were before vigil changed any (keepalived's way). */
function mergeTimeouts(wanted: LbTimeouts, original: IpvsTimeouts): IpvsTimeouts {
  return { tcp: wanted.tcp || original.tcp, tcpFin: wanted.tcpFin || original.tcpFin, udp: wanted.udp || original.udp };
}

const timeoutsKey = (t: LbTimeouts | undefined): string => (t === undefined || !(t.tcp || t.tcpFin || t.udp) ? '' : `${t.tcp ?? 0}/${t.tcpFin ?? 0}/${t.udp ?? 0}`);

export class IpvsBackend implements LoadBalancerBackend {
  readonly name = 'ipvs';
  readonly #channel: GenlChannel;
  #familyId: number | undefined;
  /** Services this backend created or took over, by kernel identity, with the destinations it last put in them. */
  readonly #owned = new Map<string, IpvsService>();
  readonly #ownedDests = new Map<string, readonly IpvsDest[]>();
  /** The kernel's timeouts before vigil first changed them (lvs_timeouts), restored at clear. */
  #originalTimeouts: IpvsTimeouts | undefined;
  #appliedTimeouts = '';
  readonly syncDaemon: IpvsSyncDaemon;

  constructor(channel?: GenlChannel) {
    this.#channel = channel ?? new SocketGenlChannel();
    this.syncDaemon = new IpvsSyncDaemon(this.#channel, () => this.#family());
  }

  async apply(state: DesiredState): Promise<ApplyReport> {
    assertValidDesiredState(state);
    const familyId = await this.#family();
    let operations = 0;
    const send = async (what: string, build: (seq: number) => Uint8Array): Promise<void> => {
      operations++;
      await this.#channel.request(build, what);
    };
    operations += await this.#timeouts(state.timeouts);

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
      this.#ownedDests.delete(id);
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
      this.#ownedDests.set(id, dests);
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

  /**
   * Deletes the services this backend created, as keepalived's lvs_flush_on_stop says (`each`: destinations then
   * services; `services`: services only; `all`: IPVS_CMD_FLUSH, everyone's), and puts back the timeouts it changed.
   * In the first two modes services added by others (ipvsadm, another daemon) stay.
   */
  async clear(mode: ClearMode = 'each'): Promise<void> {
    if (this.#owned.size === 0 && this.#originalTimeouts === undefined && mode !== 'all') return;
    const familyId = await this.#family();
    // Already gone (someone ran ipvsadm -C): the goal is reached.
    const gone = (error: unknown): boolean => error instanceof NetlinkError && (error.errno === ESRCH || error.errno === ENOENT);
    if (mode === 'all') {
      await this.#channel.request((seq) => flushMessage({ familyId, seq }), 'IPVS_CMD_FLUSH');
      this.#owned.clear();
      this.#ownedDests.clear();
    }
    for (const [id, service] of [...this.#owned]) {
      if (mode === 'each') {
        for (const dest of this.#ownedDests.get(id) ?? []) {
          try {
            await this.#channel.request((seq) => delDestMessage({ familyId, seq }, service, dest), `delete destination ${ipvsDestId(dest)} of ${id}`);
          } catch (error) {
            if (!gone(error)) throw error;
          }
        }
      }
      try {
        await this.#channel.request((seq) => delServiceMessage({ familyId, seq }, service), `delete service ${id}`);
      } catch (error) {
        if (!gone(error)) throw error;
      }
      this.#owned.delete(id);
      this.#ownedDests.delete(id);
    }
    await this.#timeouts(undefined);
  }

  /** keepalived `lvs_flush`: every service in the kernel goes (IPVS_CMD_FLUSH), vigil's or not. */
  async flush(): Promise<void> {
    const familyId = await this.#family();
    await this.#channel.request((seq) => flushMessage({ familyId, seq }), 'IPVS_CMD_FLUSH');
    this.#owned.clear();
    this.#ownedDests.clear();
  }

  /**
   * keepalived `lvs_timeouts` (libipvs ipvs_set_timeout): the first change reads the kernel's timeouts
   * (IPVS_CMD_GET_CONFIG) to restore them later; each change sends all three (IPVS_CMD_SET_CONFIG), the ones not
   * configured at their original value; no timeouts any more puts the originals back. Returns the messages sent.
   */
  async #timeouts(wanted: LbTimeouts | undefined): Promise<number> {
    const key = timeoutsKey(wanted);
    if (key === this.#appliedTimeouts) return 0;
    const familyId = await this.#family();
    let sent = 0;
    if (this.#originalTimeouts === undefined) {
      const [reply] = await this.#channel.request((seq) => getTimeoutsMessage({ familyId, seq }), 'IPVS_CMD_GET_CONFIG');
      if (reply === undefined) throw new Error('IPVS_CMD_GET_CONFIG: no reply');
      this.#originalTimeouts = decodeTimeouts(reply);
      sent++;
    }
    const original = this.#originalTimeouts;
    const timeouts = key === '' ? original : mergeTimeouts(wanted ?? {}, original);
    await this.#channel.request((seq) => setTimeoutsMessage({ familyId, seq }, timeouts), 'IPVS_CMD_SET_CONFIG');
    sent++;
    this.#appliedTimeouts = key;
    if (key === '') this.#originalTimeouts = undefined;
    return sent;
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
