/**
 * The two-node scenario several simulator tests run: lb1 (priority 150) and lb2 (100) on one LAN at 1 ms, sharing
 * one configuration of VI_1 (VRID 51, VIP 192.168.77.100/24) in which `@lb1` / `@lb2` lines are that node's alone.
 * Only exports.
 */

/** VI_1 with `before` (whole lines) ahead of its virtual_ipaddress block and `after` behind it. */
export function pairInstance(o: { readonly before?: string; readonly after?: string }): string {
  return `vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    @lb1 priority 150
    @lb2 priority 100
    advert_int 1
${o.before ?? ''}    virtual_ipaddress {
        192.168.77.100/24
    }
${o.after ?? ''}}
`;
}

/** The scenario's JSON text: both nodes with `config`, `events`, run for `duration`. */
export function pairScenario(config: string, events: readonly unknown[], duration: string): string {
  return JSON.stringify({
    duration,
    network: { latency: '1ms' },
    nodes: {
      lb1: { config, interfaces: { eth0: '192.168.77.11/24' } },
      lb2: { config, interfaces: { eth0: '192.168.77.12/24' } },
    },
    events,
  });
}
