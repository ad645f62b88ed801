/**
 * The loopback BFD link (test/contract/bfd-loopback-link.ts) with a fault for test/daemon/worker-bfd-host.test.ts:
 * the worker thread that loaded it blocks its event loop for good (a busy loop, not an exit) as soon as the file
 * named by VIGIL_TEST_BFD_HANG exists, which it removes first, so the replacement worker lives.
 */
import { existsSync, unlinkSync } from 'node:fs';
import type { Random } from '../../transport/random.js';
import type { BfdLink } from '../../transport/bfd-link.js';
import { LoopbackBfdLink } from '../contract/bfd-loopback-link.js';

export function createBfdLink(_random: Random): { link: BfdLink; warnings: readonly string[] } {
  const flag = process.env['VIGIL_TEST_BFD_HANG'];
  if (flag !== undefined) {
    setInterval(() => {
      if (!existsSync(flag)) return;
      unlinkSync(flag);
      // Only terminate() ends this.
      for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
    }, 10).unref();
  }
  return { link: new LoopbackBfdLink((fn) => setTimeout(fn, 1)), warnings: [] };
}
