/**
 * The VRRP socket's receive buffer as keepalived 2.2.7 sizes it (vrrp_scheduler.c vrrp_create_sockpool, vrrp_if.c):
 * each instance on the socket adds its share, and a socket whose shares add up to more than 0 gets SO_RCVBUF of
 * the sum (not forced: net.core.rmem_max bounds it; the kernel doubles it). An instance's share is its
 * `kernel_rx_buf_size`, else by global_defs `vrrp_rx_bufs_policy`: a number of bytes; `ADVERT`,
 * vrrp_rx_bufs_multiplier (3) times the length of its advertisement (IP header, AH header and all); `MTU`, that many
 * times its interface's MTU. Without either, keepalived leaves the system's size and vigil its own (4 MiB).
 */
import type { GlobalDefs, VrrpInstance } from '../../config/model.js';

/** An instance's share: bytes, or a multiple of its interface's MTU (read where the socket is). */
export type ReceiveBufferShare = { readonly bytes: number } | { readonly mtuMultiple: number };

const IPV4_HEADER = 20;
const AH_HEADER = 24;
const VRRP_HEADER = 8;
const V2_AUTH = 8;

/** keepalived vrrp_adv_len: the advertisement as it is on the wire (IPv6: the VRRP message alone). */
export function advertisementLength(instance: Pick<VrrpInstance, 'family' | 'version' | 'authentication'>, addresses: number): number {
  if (instance.family === 6) return VRRP_HEADER + 16 * addresses;
  const v2 = instance.version === 2 ? V2_AUTH : 0;
  const ah = instance.authentication?.type === 'AH' ? AH_HEADER : 0;
  return VRRP_HEADER + v2 + 4 * addresses + IPV4_HEADER + ah;
}

/** vrrp_rx_bufs_policy's words: MTU or ADVERT (either case), or a number of bytes; a size wins over a policy, MTU over ADVERT. */
export function rxBufsPolicy(policy: string | undefined): { size?: number; mtu?: boolean; advert?: boolean } {
  if (policy === undefined) return {};
  const word = policy.toUpperCase();
  if (word === 'MTU') return { mtu: true };
  if (word === 'ADVERT') return { advert: true };
  return /^\d+$/.test(policy) ? { size: Number(policy) } : {};
}

export function receiveBufferShare(
  instance: Pick<VrrpInstance, 'family' | 'version' | 'authentication' | 'kernelRxBufSize'>,
  addresses: number,
  g: Pick<GlobalDefs, 'vrrpRxBufsPolicy' | 'vrrpRxBufsMultiplier'>,
): ReceiveBufferShare | undefined {
  if (instance.kernelRxBufSize !== undefined && instance.kernelRxBufSize > 0) return { bytes: instance.kernelRxBufSize };
  const policy = rxBufsPolicy(g.vrrpRxBufsPolicy);
  const multiplier = g.vrrpRxBufsMultiplier;
  if (policy.size !== undefined) return { bytes: policy.size };
  if (policy.advert) return { bytes: multiplier * advertisementLength(instance, addresses) };
  if (policy.mtu) return { mtuMultiple: multiplier };
  return undefined;
}

/** The shares of the instances on one socket, added: bytes, and how many MTUs of its interface. */
export function sumShares(shares: readonly (ReceiveBufferShare | undefined)[]): { bytes: number; mtuMultiple: number } {
  let bytes = 0;
  let mtuMultiple = 0;
  for (const s of shares) {
    if (s === undefined) continue;
    if ('bytes' in s) bytes += s.bytes;
    else mtuMultiple += s.mtuMultiple;
  }
  return { bytes, mtuMultiple };
}
