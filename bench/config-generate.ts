/**
 * Generated keepalived.conf files for the parser benchmark: N virtual servers × M real servers each with a
 * checker (the 300,000-line case is 10,000 × 4 with a TCP_CHECK: 30 lines per virtual server), plus optional vrrp_instances.
 */

export interface GeneratedConfigOptions {
  readonly virtualServers: number;
  readonly realServers: number;
  readonly vrrpInstances?: number;
  /** Interface name of the vrrp_instances (must exist where keepalived -t checks it). */
  readonly interface?: string;
}

export function generateConfig(options: GeneratedConfigOptions): string {
  const out: string[] = ['global_defs {', '  router_id BENCH', '}', ''];
  const iface = options.interface ?? 'eth0';
  for (let i = 0; i < (options.vrrpInstances ?? 0); i++) {
    out.push(
      `vrrp_instance VI_${i} {`,
      '  state BACKUP',
      `  interface ${iface}`,
      `  virtual_router_id ${(i % 255) + 1}`,
      `  mcast_dst_ip 224.0.${Math.floor(i / 255)}.${(i % 250) + 1}`,
      `  priority ${100 + (i % 50)}`,
      '  advert_int 1',
      '  virtual_ipaddress {',
      `    10.${100 + Math.floor(i / 65536)}.${Math.floor(i / 256) % 256}.${i % 256}/32`,
      '  }',
      '}',
    );
  }
  for (let v = 0; v < options.virtualServers; v++) {
    const vip = `10.${Math.floor(v / 65536)}.${Math.floor(v / 256) % 256}.${v % 256}`;
    out.push(`virtual_server ${vip} 80 {`, '  delay_loop 6', '  lb_algo rr', '  lb_kind NAT', '  protocol TCP');
    for (let r = 0; r < options.realServers; r++) {
      out.push(
        `  real_server 172.16.${r % 256}.${(v % 250) + 1} 8080 {`,
        '    TCP_CHECK {',
        '      connect_port 8080',
        '      connect_timeout 3',
        '    }',
        '  }',
      );
    }
    out.push('}');
  }
  return `${out.join('\n')}\n`;
}
