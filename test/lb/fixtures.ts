/** The virtual service the load-balancer tests share: TCP 192.168.77.100:80, with per-test scheduler and destinations. */
import type { AddressService, Destination } from '../../machines/desired-state.js';

export function webService(scheduler: AddressService['scheduler'], destinations: readonly Destination[], extra: Partial<AddressService> = {}): AddressService {
  return { kind: 'address', key: 'web', protocol: 'tcp', family: 4, address: '192.168.77.100', port: 80, scheduler, destinations, ...extra };
}

/** A NAT destination 192.168.77.N:port. */
export function natDestination(n: number, port: number, weight: number): Destination {
  return { address: `192.168.77.${n}`, port, weight, forwarding: 'NAT' };
}

/** The two nat chains every IPv4 or IPv6 rendering of renderNftRuleset opens its table with. */
export const NFT_HOOKS = `\tchain prerouting {
\t\ttype nat hook prerouting priority dstnat; policy accept;
\t\tjump services
\t}
\tchain output {
\t\ttype nat hook output priority -100; policy accept;
\t\tjump services
\t}
`;
