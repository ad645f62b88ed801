/**
 * The names keepalived 2.2.7 gives its files from the process-level keywords (instance, use_pid_dir, net_namespace,
 * data_use_instance, reload_file), the umask values it reads, and reload_file's life around the reading of a
 * reload (created rw-r--r-- whatever the umask, removed once read).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dumpFileName, pidFilePath, reloadFilePath } from '../../actors/daemon/process-names.js';
import { ProcessControl } from '../../actors/daemon/process-control.js';
import { parseConfigText } from '../../config/parse.js';
import { numericUmask, parseUmask } from '../../config/umask.js';
import type { KeepalivedConfig } from '../../actors/vrrp/specs-from-config.js';

const globals = (text: string) => parseConfigText(text, 'k.conf').config.globalDefs;

test('pid file: /run/vigil.pid; use_pid_dir puts it in /run/vigil/; instance names it; net_namespace gets a directory; -p wins', () => {
  assert.equal(pidFilePath(globals('global_defs {\n router_id a\n}\n')), '/run/vigil.pid');
  assert.equal(pidFilePath(globals('use_pid_dir\n')), '/run/vigil/vigil.pid');
  assert.equal(pidFilePath(globals('instance blue\n')), '/run/vigil/vigil_blue.pid');
  assert.equal(pidFilePath(globals('net_namespace red\n')), '/run/vigil/red/vigil.pid');
  assert.equal(pidFilePath(globals('net_namespace red\ninstance blue\n')), '/run/vigil/red/vigil_blue.pid');
  assert.equal(pidFilePath(globals('instance blue\n'), '/tmp/x.pid'), '/tmp/x.pid');
});

test('data_use_instance: the dumps carry the namespace and instance, only when asked and when there is one', () => {
  assert.equal(dumpFileName('vigil.data', globals('instance blue\n')), 'vigil.data');
  assert.equal(dumpFileName('vigil.data', globals('instance blue\nglobal_defs {\n data_use_instance\n}\n')), 'vigil.blue.data');
  assert.equal(dumpFileName('vigil.json', globals('net_namespace red\ninstance blue\nglobal_defs {\n data_use_instance\n}\n')), 'vigil.red_blue.json');
  assert.equal(dumpFileName('vigil.stats', globals('global_defs {\n data_use_instance\n}\n')), 'vigil.stats');
});

test('reload_file: the file named, or vigil.reload in the pid directory', () => {
  assert.equal(reloadFilePath(globals('global_defs {\n reload_file /tmp/r\n}\n')), '/tmp/r');
  assert.equal(reloadFilePath(globals('global_defs {\n reload_file\n}\n')), '/run/vigil/vigil.reload');
  assert.equal(reloadFilePath(globals('instance blue\nglobal_defs {\n reload_file\n}\n')), '/run/vigil/vigil_blue.reload');
  assert.equal(reloadFilePath(globals('global_defs {\n router_id a\n}\n')), undefined);
});

test('umask: numbers as strtol base 0, bit names joined by |, and what keepalived refuses', () => {
  assert.equal(parseUmask(['0027']), 0o027);
  assert.equal(parseUmask(['0x12']), 0o022);
  assert.equal(parseUmask(['18']), 0o022);
  assert.equal(parseUmask(['IWGRP|IWOTH']), 0o022);
  assert.equal(parseUmask(['IXUSR', '|', 'IRGRP']), 0o140);
  assert.match(String(parseUmask(['01000'])), /invalid umask value/);
  assert.match(String(parseUmask(['IWGRP|IFOO'])), /unknown umask bit IFOO/);
  assert.match(String(parseUmask(['0022', '7'])), /extra/);
  assert.equal(numericUmask('abc'), undefined);
  const parsed = parseConfigText('global_defs {\n umask IFOO\n}\n', 'k.conf');
  const errors = parsed.errors.map((e) => `${e.file}:${e.line}: ${e.message}`);
  assert.ok(errors.some((e) => e.includes('k.conf:2') && e.includes('unknown umask bit IFOO')), errors.join('\n'));
});

test('reload_file: made rw-r--r-- while a reload reads the files (umask 0177 notwithstanding), gone afterwards', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-kw-proc-'));
  const before = process.umask();
  try {
    const path = join(dir, 'vigil.reload');
    const control = new ProcessControl({ environment: {}, log: { info() {}, warn() {} } });
    assert.equal(process.umask(), 0o177);
    const config = { globalDefs: globals(`global_defs {\n reload_file ${path}\n}\n`) } as unknown as KeepalivedConfig;
    const done = control.reading(config);
    assert.equal(statSync(path).mode & 0o777, 0o644);
    done({ ok: true, warnings: [] });
    assert.equal(existsSync(path), false);
    // The configuration's umask is applied when it is read, unless -u gave one.
    control.configured({ globalDefs: globals('global_defs {\n umask 0022\n}\n') } as unknown as KeepalivedConfig, 'reload');
    assert.equal(process.umask(), 0o022);
    const given = new ProcessControl({ umask: 0o077, environment: {}, log: { info() {}, warn() {} } });
    given.configured({ globalDefs: globals('global_defs {\n umask 0022\n}\n') } as unknown as KeepalivedConfig, 'reload');
    assert.equal(process.umask(), 0o077);
  } finally {
    process.umask(before);
    rmSync(dir, { recursive: true, force: true });
  }
});
