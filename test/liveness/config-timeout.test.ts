/**
 * A configuration load that hangs is given up (issue 13, "Reload"; keepalived's own reload would wait forever): the
 * config worker reading a file that blocks (a test entry blocks its thread, as a read from a hung file system would)
 * is abandoned after the loader's bound with a one-line error, the daemon keeps running its configuration whole,
 * and the next reload reads afresh on a new worker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigLoadError } from '../../config/load.js';
import { workerConfigLoader } from '../../actors/daemon/config-loader.js';
import { SimulatedProcessRunner } from '../../sim/simulated-process-runner.js';
import { simulatedDaemon } from '../daemon/simulated-daemon.js';
import { BLOCK_MARK } from './fixtures/hanging-config-worker.js';
import { inTempDir } from '../temp-dir.js';

const ENTRY = new URL('./fixtures/hanging-config-worker.js', import.meta.url);
/**
 * The loaders' bound here: a blocked load waits it out, and a good one (a worker started and a small file read) must
 * end within it, which on two CPUs shared with a whole suite takes seconds.
 */
const BOUND_MS = 8000;

function instances(...names: string[]): string {
  return names
    .map(
      (name, i) => `vrrp_instance ${name} {
  state BACKUP
  interface eth0
  virtual_router_id ${51 + i}
  priority 100
  virtual_ipaddress {
    192.168.77.${150 + i}/24
  }
}
`,
    )
    .join('');
}

const withDir = (body: (dir: string) => Promise<void>) => (): Promise<void> => inTempDir('vigil-config-timeout-', body);

test(
  'a load that blocks is given up after the bound with a one-line ConfigLoadError; the next load works',
  withDir(async (dir) => {
    const file = join(dir, 'keepalived.conf');
    const load = workerConfigLoader({ entry: ENTRY, timeoutMs: BOUND_MS });
    writeFileSync(file, `${BLOCK_MARK}\n${instances('VI_1')}`);
    await assert.rejects(load(file, {}, undefined), (err: unknown) => {
      assert.ok(err instanceof ConfigLoadError, String(err));
      assert.equal(err.message, `${file}: not read within ${BOUND_MS / 1000} s, given up (an include that blocks?)`);
      return true;
    });
    writeFileSync(file, instances('VI_1', 'VI_2'));
    const loaded = await load(file, {}, undefined);
    assert.deepEqual(
      loaded.config.vrrpInstances.map((i) => i.name),
      ['VI_1', 'VI_2'],
    );
  }),
);

test('a reload whose load hangs is rejected, the running configuration stays whole, a later reload is taken', async () => {
  const logs: string[] = [];
  const log = { debug() {}, info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m), error: (m: string) => logs.push(m) };
  const { daemon, clock, file, write, remove } = simulatedDaemon(instances('VI_1'), {
    environment: ({ clock }) => ({ processes: new SimulatedProcessRunner(clock, () => {}, 10), log, loadConfig: workerConfigLoader({ entry: ENTRY, timeoutMs: BOUND_MS }) }),
  });
  try {
    await daemon.start();
    clock.runFor(5000);
    const names = (): string[] => daemon.status().instances.map((i) => i.name);
    assert.deepEqual(names(), ['VI_1']);

    write(`${BLOCK_MARK}\n${instances('VI_1', 'VI_2')}`);
    const hung = await daemon.reload();
    assert.equal(hung.ok, false);
    assert.ok(logs.includes(`reload rejected, the running configuration stays: ${file}: not read within ${BOUND_MS / 1000} s, given up (an include that blocks?)`), logs.join('\n'));
    clock.runFor(5000);
    assert.deepEqual(names(), ['VI_1'], 'the running configuration stays');
    assert.equal(daemon.status().reloads, 0);

    write(instances('VI_1', 'VI_2'));
    const next = await daemon.reload();
    assert.deepEqual(next, { ok: true, kept: ['VI_1'], started: ['VI_2'], stopped: [] });
    assert.deepEqual(names(), ['VI_1', 'VI_2']);
    const stopping = daemon.stop();
    clock.runFor(5000);
    await stopping;
  } finally {
    remove();
  }
});
