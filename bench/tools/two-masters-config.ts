/**
 * The configuration the receive-path benchmarks flood: two masters on eth0, VRRPv3 (VRID 100) and VRRPv2 with PASS
 * (VRID 101, password "secret"), each with one VIP (/26).
 */
export function twoMastersConfig(vip3: string, vip2: string): string {
  return `vrrp_instance V3 {
  state MASTER
  interface eth0
  virtual_router_id 100
  version 3
  priority 150
  advert_int 1
  virtual_ipaddress {
    ${vip3}/26
  }
}
vrrp_instance V2 {
  state MASTER
  interface eth0
  virtual_router_id 101
  version 2
  priority 150
  advert_int 1
  authentication {
    auth_type PASS
    auth_pass secret
  }
  virtual_ipaddress {
    ${vip2}/26
  }
}
`;
}
