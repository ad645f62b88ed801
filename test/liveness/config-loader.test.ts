/**
 * The config worker (actors/daemon/config-loader.ts): a configuration read on a worker thread and handed over in
 * chunks is the configuration read on this thread, warnings, refused scripts and checker digest included; a bad
 * file is the same one-line ConfigLoadError; an unchanged checker part is taken from the running configuration
 * rather than sent again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigLoadError } from '../../config/load.js';
import { workerConfigLoader } from '../../actors/daemon/config-loader.js';
import { loadRunnable } from '../../actors/runnable-config.js';
import { generateConfig } from '../../bench/config-generate.js';
import { inTempDir } from '../temp-dir.js';

/** Enough virtual servers that the checker arrays cross in several chunks (CHUNK_BYTES each). */
const LARGE = { virtualServers: 600, realServers: 4, vrrpInstances: 3, interface: 'lo' };

const withDir = (body: (dir: string) => Promise<void>) => (): Promise<void> => inTempDir('vigil-liveness-config-', body);

test(
  'a configuration loaded on the worker equals one loaded on this thread',
  withDir(async (dir) => {
    const file = join(dir, 'keepalived.conf');
    // An unknown keyword in global_defs: a warning that must cross too.
    writeFileSync(file, generateConfig(LARGE).replace('router_id BENCH', 'router_id BENCH\n  vigil_liveness_unknown 1'));
    const here = loadRunnable(file, {}, undefined);
    const there = await workerConfigLoader()(file, {}, undefined);
    assert.equal(there.config.virtualServers.length, LARGE.virtualServers);
    assert.deepEqual(there.config, here.config);
    assert.deepEqual(there.warnings, here.warnings);
    assert.ok(there.warnings.length > 0, 'the unknown keyword was said');
    assert.deepEqual(there.refused, here.refused);
    assert.equal(there.lvsDigest, here.lvsDigest);
  }),
);

test(
  'a bad configuration is the same ConfigLoadError, file and line included',
  withDir(async (dir) => {
    const file = join(dir, 'keepalived.conf');
    writeFileSync(file, 'vrrp_instance VI_1 {\n  virtual_router_id 300\n}\n');
    const here = (() => {
      try {
        loadRunnable(file, {}, undefined);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    assert.ok(here instanceof ConfigLoadError, String(here));
    await assert.rejects(workerConfigLoader()(file, {}, undefined), (err: unknown) => {
      assert.ok(err instanceof ConfigLoadError);
      assert.equal(err.message, here.message);
      return true;
    });
    await assert.rejects(workerConfigLoader()(join(dir, 'missing.conf'), {}, undefined), ConfigLoadError);
  }),
);

test(
  'an unchanged checker part is reused from the running configuration; a changed one is sent',
  withDir(async (dir) => {
    const file = join(dir, 'keepalived.conf');
    writeFileSync(file, generateConfig(LARGE));
    const load = workerConfigLoader();
    const first = await load(file, {}, undefined);
    // Only a VRRP priority changes: the virtual servers are the running configuration's own objects.
    writeFileSync(file, generateConfig(LARGE).replace('priority 100', 'priority 99'));
    const second = await load(file, {}, first);
    assert.equal(second.lvsDigest, first.lvsDigest);
    assert.equal(second.config.virtualServers, first.config.virtualServers, 'reused, not sent again');
    assert.notDeepEqual(second.config.vrrpInstances, first.config.vrrpInstances);
    assert.deepEqual(second.config, loadRunnable(file, {}, undefined).config);
    // One virtual server fewer: sent anew, and equal to a load on this thread.
    writeFileSync(file, generateConfig({ ...LARGE, virtualServers: LARGE.virtualServers - 1 }));
    const third = await load(file, {}, second);
    assert.notEqual(third.lvsDigest, second.lvsDigest);
    assert.notEqual(third.config.virtualServers, second.config.virtualServers);
    assert.deepEqual(third.config, loadRunnable(file, {}, undefined).config);
  }),
);

test(
  'an aborted load (the daemon stopping mid-reload) rejects at once with the signal\'s reason, before or during the read',
  withDir(async (dir) => {
    const file = join(dir, 'keepalived.conf');
    writeFileSync(file, generateConfig({ ...LARGE, virtualServers: 3000 }));
    const during = new AbortController();
    const reason = new Error('stopping');
    const loading = workerConfigLoader()(file, {}, undefined, during.signal);
    during.abort(reason);
    // At once: settled before the event loop turns even once (the worker's answer could only come after a turn),
    // not after some wall-clock time a loaded host may or may not keep.
    const outcome = await Promise.race([
      loading.then(() => 'loaded', (err: unknown) => (err === reason ? 'rejected with the reason' : `rejected with ${String(err)}`)),
      new Promise<string>((resolve) => setImmediate(() => resolve('still pending after a turn of the event loop'))),
    ]);
    assert.equal(outcome, 'rejected with the reason', 'the load was waited for instead of given up');
    const before = new AbortController();
    before.abort(reason);
    await assert.rejects(workerConfigLoader()(file, {}, undefined, before.signal), (err) => err === reason);
  }),
);
