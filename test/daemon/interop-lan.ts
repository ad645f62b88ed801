/**
 * The LAN of the keepalived interop tests: v (vigil) and k (keepalived) on one segment, both families, the VIPs
 * 192.168.77.250 and fd77::c0:250 inside its prefixes.
 */
import { createLan, type Lan } from '../netns/harness.js';

export function interopLan(name: string): Promise<Lan> {
  return createLan({
    name,
    hosts: ['v', 'k'],
    v4Prefix: '192.168.77.X',
    v4Start: 193,
    v4PrefixLength: 26,
    v6Prefix: 'fd77::c0:X',
    v6PrefixLength: 112,
  });
}
