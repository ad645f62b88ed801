/** The configuration of the shortcut tests' nodes. Only exports. */

/**
 * vrrp_script chk (always passing, weight 60, starting failed: init_fail) and VI_1 (VRID 7 on eth0, advert_int 1,
 * `priority`) tracking it, with `lines` inside the instance and `vips` as its addresses.
 */
export function chkTrackedConfig(priority: number, lines: string, vips: readonly string[]): string {
  return `vrrp_script chk {
  script "/bin/true"
  weight 60
  init_fail
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 7
  priority ${priority}
  advert_int 1
  ${lines}
  track_script {
    chk
  }
  virtual_ipaddress {
${vips.map((v) => `    ${v}\n`).join('')}  }
}`;
}
