/**
 * A stand-in for the kernel's IPVS generic-netlink family, for reconcile tests on kernels without IPVS: decodes
 * the requests vigil sends (with vigil's own decoder), keeps a service/destination table, answers dumps and
 * refuses what ip_vs refuses (EEXIST on a duplicate add, ESRCH / ENOENT on a missing service / destination).
 */
import { NLM_F_MULTI, parseNetlinkMessages, type NetlinkReply } from '../../protocol/genl.js';
import { NetlinkError, errnoName, type GenlChannel } from '../../transport/real/lb/genl-channel.js';
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

  constructor(private readonly hasIpvs = true) {}

  async resolveFamily(name: string): Promise<number | undefined> {
    return name === 'IPVS' && this.hasIpvs ? FAKE_FAMILY : undefined;
  }

  async request(build: (seq: number) => Uint8Array, what: string): Promise<NetlinkReply[]> {
    const [msg] = parseNetlinkMessages(build(1));
    if (msg === undefined || msg.type !== FAKE_FAMILY) throw new Error('not an IPVS message');
    const { cmd, service, dest } = decodeIpvsMessage(msg);
    this.commands.push(cmd);
    const fail = (errno: number): never => {
      throw new NetlinkError(errno, errnoName(errno), what);
    };
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

  #reply(bytes: Uint8Array): NetlinkReply {
    const [reply] = parseNetlinkMessages(bytes);
    if (reply === undefined) throw new Error('unparseable reply');
    return { ...reply, flags: reply.flags | NLM_F_MULTI };
  }
}
