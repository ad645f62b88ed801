/**
 * global_defs vrrp_netlink_monitor_rcv_bufs / vrrp_netlink_cmd_rcv_bufs and their _force: the receive buffers of
 * the VRRP side's netlink sockets, set at start and at each reload as keepalived does (kernel_netlink_set_recv_bufs).
 * A _force without a size asks for keepalived's default, 64 KiB (IF_DEFAULT_BUFSIZE). Without either keyword vigil
 * keeps its own sizes (1 MiB for notifications).
 */
import type { GlobalDefs } from '../../config/model.js';
import type { NetlinkReceiveBuffers, ReceiveBufferRequest } from '../../transport/receive-buffer.js';

export const KEEPALIVED_NETLINK_DEFAULT_BYTES = 64 * 1024;

function request(bytes: number | undefined, force: boolean | undefined): ReceiveBufferRequest | undefined {
  if (bytes === undefined && force !== true) return undefined;
  return { bytes: bytes !== undefined && bytes > 0 ? bytes : KEEPALIVED_NETLINK_DEFAULT_BYTES, force: force === true };
}

export function vrrpNetlinkBuffers(
  g: Pick<GlobalDefs, 'vrrpNetlinkMonitorRcvBufs' | 'vrrpNetlinkMonitorRcvBufsForce' | 'vrrpNetlinkCmdRcvBufs' | 'vrrpNetlinkCmdRcvBufsForce'>,
): NetlinkReceiveBuffers {
  return { monitor: request(g.vrrpNetlinkMonitorRcvBufs, g.vrrpNetlinkMonitorRcvBufsForce), command: request(g.vrrpNetlinkCmdRcvBufs, g.vrrpNetlinkCmdRcvBufsForce) };
}
