/** Shared bits for the test/real suites. */
import type { TestContext } from 'node:test';
import { nativeAvailable } from '../../native/index.js';
import { requireNetns, type NetnsAvailability } from '../netns/harness.js';

/** Namespaces, root, and the built addon; skips (or fails under VIGIL_REQUIRE_NETNS=1) otherwise. */
export function requireRealNetwork(t: TestContext, ...more: Array<() => NetnsAvailability>): boolean {
  return requireNetns(t, () => {
    if (!nativeAvailable()) return { ok: false, reason: 'vigil_native addon not built (npm run build:native)' };
    for (const check of more) {
      const status = check();
      if (!status.ok) return status;
    }
    return { ok: true };
  });
}

/** A VRRPv3 advertisement's first bytes (RFC 5798 §5.2) with a marker in the address list; checksum left 0. */
export function sampleAdvertisement(vrid: number, priority: number, address: readonly number[]): Uint8Array {
  return Uint8Array.from([0x31, vrid, priority, 1, 0x00, 0x64, 0, 0, ...address]);
}

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
