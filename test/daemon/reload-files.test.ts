/**
 * reload_file and reload_check_config on a daemon's reload (simulated transports, the real ProcessControl): the
 * reload file exists while the new configuration is read and is gone after; the check log gets what the reading
 * found (the error that refuses a reload, or the warnings of one accepted), truncated at each reload;
 * config_save_dir gets each configuration read and the data dumps around a reload.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VigilDaemon } from '../../actors/daemon/daemon.js';
import { ProcessControl } from '../../actors/daemon/process-control.js';
import { SimHost } from '../../sim/sim-host.js';
import { LanSegment } from '../../sim/lan-segment.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { VirtualClock } from '../../sim/virtual-clock.js';

const CONFIG = (globals: string, priority = '100'): string => `
global_defs {
${globals}
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority ${priority}
    virtual_ipaddress {
        192.168.77.100/24 dev eth0
    }
}
`;

test('reload_file is there while a reload reads the files; reload_check_config LOG_FILE gets what the reading found', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-kw-proc-reload-'));
  const umask = process.umask();
  const file = join(dir, 'keepalived.conf');
  const reloadFile = join(dir, 'vigil.reload');
  const checkLog = join(dir, 'check.log');
  const saveDir = join(dir, 'saved');
  const globals = `    reload_file ${reloadFile}\n    reload_check_config ${checkLog}\n    config_save_dir ${saveDir}/`;
  writeFileSync(file, CONFIG(globals));
  const clock = new VirtualClock();
  const segment = new LanSegment('eth0', clock, new SeededRandom(1), { latencyMs: 1, jitterMs: 0, loss: 0, duplication: 0, reorder: 0 });
  const host = new SimHost('lb1', 0);
  host.addInterface('eth0', segment, [{ address: '192.168.77.11', prefix: 24, family: 4 }]);
  const warnings: string[] = [];
  const log = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
  const control = new ProcessControl({ pidFile: join(dir, 'vigil.pid'), environment: {}, log, applyScheduling: () => [] });
  // The reload file as the files are being read: the loader is where the reading happens.
  const seenWhileReading: boolean[] = [];
  const daemon = new VigilDaemon(
    {
      clock,
      link: host,
      addresses: host,
      announcer: host,
      processes: { run: async () => ({ kind: 'exited', code: 0 }) },
      log,
      pid: 1000,
      process: control,
      loadConfig: async (path, options) => {
        seenWhileReading.push(existsSync(reloadFile));
        const { loadRunnable } = await import('../../actors/runnable-config.js');
        return loadRunnable(path, options, undefined);
      },
    },
    { configFile: file, nodeName: 'lb1' },
  );
  try {
    await daemon.start();
    assert.equal(readFileSync(join(dir, 'vigil.pid'), 'utf8').trim(), String(process.pid));
    // At start keepalived has no reload file (the configuration naming it is not read yet).
    assert.deepEqual(seenWhileReading, [false]);

    writeFileSync(file, CONFIG(globals, 'banana'));
    const refused = await daemon.reload();
    assert.equal(refused.ok, false);
    assert.deepEqual(seenWhileReading, [false, true]);
    assert.equal(existsSync(reloadFile), false, 'the reload file stays after the reading');
    assert.match(readFileSync(checkLog, 'utf8'), /keepalived\.conf:11: .*banana/);
    assert.ok(warnings.some((w) => w === `new configuration failed validation, see ${checkLog} for details`), warnings.join('\n'));

    writeFileSync(file, CONFIG(`${globals}\n    tmp_config_directory /tmp`, '110'));
    // What run-command does around a reload: the data dump before and after.
    control.saveReloadState(daemon.runningConfig, 'pre', daemon.status());
    const accepted = await daemon.reload();
    control.saveReloadState(daemon.runningConfig, 'post', daemon.status());
    assert.equal(accepted.ok, true);
    assert.equal(existsSync(reloadFile), false);
    // Truncated, then the accepted configuration's warnings: tmp_config_directory is one vigil does not implement.
    const text = readFileSync(checkLog, 'utf8');
    assert.doesNotMatch(text, /banana/);
    assert.match(text, /tmp_config_directory is accepted but not implemented by vigil/);
    // config_save_dir: each configuration read (the refused one is not), and the state around the reload.
    const saved = (name: string): string => readFileSync(join(saveDir, name), 'utf8');
    assert.equal(statSync(saveDir).mode & 0o777, 0o700);
    assert.match(saved(`vigil.conf.${process.pid}.0`), /priority 100/);
    assert.match(saved(`vigil.conf.${process.pid}.1`), /priority 110/);
    assert.match(saved(`vigil_vrrp.${process.pid}.1.pre`), /VRRP instance VI_1/);
    assert.match(saved(`vigil_vrrp.${process.pid}.1.post`), /VRRP instance VI_1/);
  } finally {
    await daemon.stop();
    control.release();
    process.umask(umask);
    rmSync(dir, { recursive: true, force: true });
  }
});
