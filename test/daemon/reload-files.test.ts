/**
 * reload_file and reload_check_config on a daemon's reload (simulated transports, the real ProcessControl): the
 * reload file exists while the new configuration is read and is gone after; the check log gets what the reading
 * found (the error that refuses a reload, or the warnings of one accepted), truncated at each reload;
 * config_save_dir gets each configuration read and the data dumps around a reload.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProcessControl } from '../../actors/daemon/process-control.js';
import { instanceConfig, simulatedDaemon } from './simulated-daemon.js';

const CONFIG = (globals: string, priority = '100'): string => instanceConfig(globals, { priority });

test('reload_file is there while a reload reads the files; reload_check_config LOG_FILE gets what the reading found', async () => {
  const umask = process.umask();
  /** The files the configuration names, in the daemon's directory. */
  const named = (dir: string) => {
    const [reloadFile, checkLog, saveDir] = [join(dir, 'vigil.reload'), join(dir, 'check.log'), join(dir, 'saved')];
    return { reloadFile, checkLog, saveDir, globals: `    reload_file ${reloadFile}\n    reload_check_config ${checkLog}\n    config_save_dir ${saveDir}/` };
  };
  let control: ProcessControl | undefined;
  // The reload file as the files are being read: the loader is where the reading happens.
  const seenWhileReading: boolean[] = [];
  const { daemon, dir, file, warnings, remove } = simulatedDaemon((dir) => CONFIG(named(dir).globals), {
    environment: ({ dir, log }) => {
      control = new ProcessControl({ pidFile: join(dir, 'vigil.pid'), environment: {}, log, applyScheduling: () => [] });
      return {
        process: control,
        loadConfig: async (path, options) => {
          seenWhileReading.push(existsSync(named(dir).reloadFile));
          const { loadRunnable } = await import('../../actors/runnable-config.js');
          return loadRunnable(path, options, undefined);
        },
      };
    },
  });
  const { reloadFile, checkLog, saveDir, globals } = named(dir);
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
    control!.saveReloadState(daemon.runningConfig, 'pre', daemon.status());
    const accepted = await daemon.reload();
    control!.saveReloadState(daemon.runningConfig, 'post', daemon.status());
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
    control?.release();
    process.umask(umask);
    remove();
  }
});
