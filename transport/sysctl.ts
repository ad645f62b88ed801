/**
 * Kernel settings under /proc/sys that keepalived changes for as long as its VRRP side runs and puts back when it
 * stops (net.ipv4.igmp_link_local_mcast_reports for disable_local_igmp, net.ipv4.conf.IF.promote_secondaries).
 * Keys are paths below /proc/sys: `net/ipv4/conf/eth0/promote_secondaries`. They are the network namespace's
 * vigil runs in.
 */
export interface Sysctls {
  /** The value, trimmed; undefined when it cannot be read (no such setting, no such interface). */
  read(key: string): string | undefined;
  /** Writes the value; throws when it cannot. */
  write(key: string, value: string): void;
}
