/**
 * Code that runs first when a backup becomes master, compiled ahead of that moment. V8 compiles a function on its
 * first call, and node:net compiles its address patterns on first use: a backup that never sent an advertisement
 * pays about 0.6 ms for that inside its takeover (Master_Down_Timer fired → advertisement → VIPs), a time
 * counted against the failover bound. Encoding one advertisement per instance at start, off the clock, pays it
 * there instead. The bytes are thrown away.
 */
import { encodeAdvertisement } from '../../protocol/vrrp-codec.js';
import { multicastGroupOf } from '../../transport/vrrp-link.js';
import { advertisementOf, type VrrpInstanceSpec } from './instance-spec.js';

const ANY_SOURCE = { 4: '192.0.2.1', 6: 'fe80::1' } as const;

export function warmTakeoverPath(instances: readonly VrrpInstanceSpec[], primaryAddress: (i: VrrpInstanceSpec) => string | undefined): void {
  for (const spec of instances) {
    try {
      encodeAdvertisement(advertisementOf(spec, spec.priority), {
        source: spec.unicastSourceAddress ?? primaryAddress(spec) ?? ANY_SOURCE[spec.family],
        destination: spec.unicastPeers[0] ?? multicastGroupOf({ family: spec.family, multicastGroup: spec.multicastGroup }),
        checksumDestination: spec.oldUnicastChecksum === 'always' && spec.family === 4 ? ANY_SOURCE[4] : undefined,
      });
    } catch {
      // Only a warm-up: the instance's own encoding reports any real problem.
    }
  }
}
