/**
 * A stand-in for the kernel's IPVS generic-netlink family, for reconcile tests on kernels without IPVS: decodes
 * the requests vigil sends (with vigil's own decoder), keeps a service/destination table, the three connection
 * timeouts and the sync daemons, answers dumps and refuses what ip_vs refuses (EEXIST on a duplicate add or a
 * daemon already running, ESRCH / ENOENT on a missing service / destination / daemon, EINVAL on a daemon request
 * without state, interface or sync id).
 */
import { NLM_F_MULTI, parseNetlinkMessages, type NetlinkReply } from '../../protocol/genl.js';
import { NetlinkError, errnoName, type GenlChannel } from '../../transport/real/lb/genl-channel.js';
import {
  decodeDaemon,
  newDaemonMessage,
  decodeTimeouts,
  setTimeoutsMessage,
  type IpvsDaemon,
  type IpvsTimeouts,
} from '../../protocol/ipvs-daemon-messages.js';
import {
  decodeIpvsMessage,
  IPVS_CMD,
  newDestMessage,
  newServiceMessage,
  type IpvsDest,
  type IpvsService,
} from '../../protocol/ipvs-messages.js';
import { ipvsDestId, ipvsServiceId } from '../../transport/real/lb/ipvs-mapping.js';

export const FAKE_FAMILY = 0x23;

export class FakeIpvsKernel implements GenlChannel {
  readonly services = new Map<string, { service: IpvsService; dests: Map<string, IpvsDest> }>();
  /** Commands received, in order (GET included). */
  readonly commands: number[] = [];
  /** Every request as sent, in order, for byte-level checks. */
  readonly requests: Uint8Array[] = [];
  /** The kernel's defaults (TCP 900 s, FIN 120 s, UDP 300 s). */
  timeouts: IpvsTimeouts = { tcp: 900, tcpFin: 120, udp: 300 };
  /** Running sync daemons by state (1 master, 2 backup). */
  readonly daemons = new Map<number, Partial<IpvsDaemon>>();

  constructor(private readonly hasIpvs = true) {}

  async resolveFamily(name: string): Promise<number | undefined> {
    return name === 'IPVS' && this.hasIpvs ? FAKE_FAMILY : undefined;
  }

  async request(build: (seq: number) => Uint8Array, what: string): Promise<NetlinkReply[]> {
    const bytes = build(1);
    const [msg] = parseNetlinkMessages(bytes);
    if (msg === undefined || msg.type !== FAKE_FAMILY) throw new Error('not an IPVS message');
    this.requests.push(bytes);
    const fail = (errno: number): never => {
      throw new NetlinkError(errno, errnoName(errno), what);
    };
    const cmd0 = msg.payload[0]!;
    switch (cmd0) {
      case IPVS_CMD.GET_CONFIG:
        this.commands.push(cmd0);
        return [this.#single(setTimeoutsMessage({ familyId: FAKE_FAMILY, seq: 1 }, this.timeouts), IPVS_CMD.SET_CONFIG)];
      case IPVS_CMD.SET_CONFIG: {
        this.commands.push(cmd0);
        this.timeouts = decodeTimeouts(msg);
        return [];
      }
      case IPVS_CMD.FLUSH:
        this.commands.push(cmd0);
        this.services.clear();
        return [];
      case IPVS_CMD.GET_DAEMON:
        this.commands.push(cmd0);
        return [...this.daemons.values()].map((d) => this.#reply(newDaemonMessage({ familyId: FAKE_FAMILY, seq: 1 }, d as IpvsDaemon)));
      case IPVS_CMD.NEW_DAEMON: {
        this.commands.push(cmd0);
        const { daemon } = decodeDaemon(msg);
        if (daemon.state === undefined || daemon.interface === undefined || daemon.syncId === undefined) return fail(22);
        if (this.daemons.has(daemon.state)) return fail(17);
        this.daemons.set(daemon.state, daemon);
        return [];
      }
      case IPVS_CMD.DEL_DAEMON: {
        this.commands.push(cmd0);
        const { daemon } = decodeDaemon(msg);
        if (daemon.state === undefined) return fail(22);
        if (!this.daemons.delete(daemon.state)) return fail(3);
        return [];
      }
    }
    const { cmd, service, dest } = decodeIpvsMessage(msg);
    this.commands.push(cmd);
    if (cmd === IPVS_CMD.GET_SERVICE) {
      return [...this.services.values()].map((s) => this.#reply(newServiceMessage({ familyId: FAKE_FAMILY, seq: 1 }, s.service)));
    }
    if (service === undefined) return fail(22);
    const id = ipvsServiceId(service);
    const entry = this.services.get(id);
    switch (cmd) {
      case IPVS_CMD.NEW_SERVICE:
        if (entry !== undefined) return fail(17);
        this.services.set(id, { service, dests: new Map() });
        return [];
      case IPVS_CMD.SET_SERVICE:
        if (entry === undefined) return fail(3);
        entry.service = service;
        return [];
      case IPVS_CMD.DEL_SERVICE:
        if (entry === undefined) return fail(3);
        this.services.delete(id);
        return [];
      case IPVS_CMD.GET_DEST:
        if (entry === undefined) return fail(3);
        return [...entry.dests.values()].map((d) => this.#reply(newDestMessage({ familyId: FAKE_FAMILY, seq: 1 }, entry.service, d)));
    }
    if (entry === undefined) return fail(3);
    if (dest === undefined) return fail(22);
    const destId = ipvsDestId(dest);
    switch (cmd) {
      case IPVS_CMD.NEW_DEST:
        if (entry.dests.has(destId)) return fail(17);
        entry.dests.set(destId, dest);
        return [];
      case IPVS_CMD.SET_DEST:
        if (!entry.dests.has(destId)) return fail(2);
        entry.dests.set(destId, dest);
        return [];
      case IPVS_CMD.DEL_DEST:
        if (!entry.dests.delete(destId)) return fail(2);
        return [];
    }
    return fail(95);
  }

  close(): void {}

  /** A one-message answer (a doit command's reply), with the command the kernel puts in it. */
  #single(bytes: Uint8Array, cmd: number): NetlinkReply {
    const [reply] = parseNetlinkMessages(bytes);
    if (reply === undefined) throw new Error('unparseable reply');
    const payload = Uint8Array.from(reply.payload);
    payload[0] = cmd;
    return { ...reply, flags: 0, payload };
  }

  #reply(bytes: Uint8Array): NetlinkReply {
    const [reply] = parseNetlinkMessages(bytes);
    if (reply === undefined) throw new Error('unparseable reply');
    return { ...reply, flags: reply.flags | NLM_F_MULTI };
  }
}
