/**
 * The names keepalived 2.2.7 gives its files from the process-level keywords (instance, use_pid_dir, net_namespace,
 * data_use_instance, reload_file), the umask values it reads, and reload_file's life around the reading of a
 * reload (created rw-r--r-- whatever the umask, removed once read).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
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
    const control = new ProcessControl({ environment: {}, log: { info() {}, warn() {} }, applyScheduling: () => [] });
    assert.equal(process.umask(), 0o177);
    const config = { globalDefs: globals(`global_defs {\n reload_file ${path}\n}\n`) } as unknown as KeepalivedConfig;
    const done = control.reading(config);
    assert.equal(statSync(path).mode & 0o777, 0o644);
    done({ ok: true, warnings: [] });
    assert.equal(existsSync(path), false);
    // The configuration's umask is applied when it is read, unless -u gave one.
    control.configured({ globalDefs: globals('global_defs {\n umask 0022\n}\n') } as unknown as KeepalivedConfig, 'reload');
    assert.equal(process.umask(), 0o022);
    const given = new ProcessControl({ umask: 0o077, environment: {}, log: { info() {}, warn() {} }, applyScheduling: () => [] });
    given.configured({ globalDefs: globals('global_defs {\n umask 0022\n}\n') } as unknown as KeepalivedConfig, 'reload');
    assert.equal(process.umask(), 0o077);
  } finally {
    process.umask(before);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('reload_file and reload_check_config: a FIFO, with or without a reader, or a directory at the path is left alone with a warning, never blocks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-kw-proc-'));
  const before = process.umask();
  const warnings: string[] = [];
  let reader: number | undefined;
  try {
    const fifo = join(dir, 'vigil.reload');
    const log = join(dir, 'check.log');
    execFileSync('mkfifo', [fifo, log]);
    const control = new ProcessControl({ environment: {}, log: { info() {}, warn: (m) => warnings.push(m) }, applyScheduling: () => [] });
    const config = { globalDefs: globals(`global_defs {\n reload_file ${fifo}\n reload_check_config ${log}\n}\n`) } as unknown as KeepalivedConfig;
    // No reader: an open for writing without O_NONBLOCK would wait here for ever.
    let done = control.reading(config);
    done({ ok: false, error: 'k.conf:1: broken' });
    assert.ok(statSync(fifo).isFIFO() && statSync(log).isFIFO(), 'both FIFOs are still there');
    assert.ok(warnings.some((w) => w.startsWith(`reload_file ${fifo}: ENXIO`)), warnings.join('\n'));
    assert.ok(warnings.some((w) => w.startsWith(`reload_check_config ${log}: ENXIO`)), warnings.join('\n'));
    // A reader on the FIFO: opened, but not written (not a regular file), and not removed afterwards.
    reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    warnings.length = 0;
    done = control.reading(config);
    done({ ok: true, warnings: [] });
    assert.ok(statSync(fifo).isFIFO(), 'the FIFO with a reader is left in place');
    assert.ok(warnings.some((w) => w === `reload_file ${fifo}: not a regular file, left alone`), warnings.join('\n'));
    // A directory: EISDIR, said, left in place.
    rmSync(fifo);
    mkdirSync(fifo);
    warnings.length = 0;
    control.reading(config)({ ok: true, warnings: [] });
    assert.ok(statSync(fifo).isDirectory());
    assert.ok(warnings.some((w) => w === `reload_file ${fifo}: EISDIR`), warnings.join('\n'));
  } finally {
    if (reader !== undefined) closeSync(reader);
    process.umask(before);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('process_name changed by a reload renames the VRRP thread (keepalived renames itself); unchanged, nothing is asked', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-kw-proc-'));
  const before = process.umask();
  const asked: unknown[] = [];
  try {
    const control = new ProcessControl({ pidFile: join(dir, 'vigil.pid'), environment: {}, log: { info() {}, warn() {} }, applyScheduling: (s) => (asked.push(s), []) });
    const named = (name: string) => ({ globalDefs: globals(`global_defs {\n process_name ${name}\n}\n`) }) as unknown as KeepalivedConfig;
    control.configured(named('ka_a'), 'start');
    control.configured(named('ka_a'), 'reload');
    assert.deepEqual(asked, []);
    control.configured(named('ka_b'), 'reload');
    control.configured(named('ka_b'), 'reload');
    assert.deepEqual(asked, [{ name: 'ka_b' }]);
    control.release();
    assert.equal(existsSync(join(dir, 'vigil.pid')), false);
  } finally {
    process.umask(before);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a process name longer than the kernel keeps (15 bytes) is truncated with a warning at its line, as keepalived does', () => {
  const r = parseConfigText('global_defs {\n vrrp_process_name a_very_long_vrrp_name\n}\n', 'k.conf');
  assert.equal(r.config.globalDefs.vrrpProcessName, 'a_very_long_vrr');
  assert.ok(r.warnings.some((w) => w.line === 2 && w.message.includes('more than 15 characters, truncating')), JSON.stringify(r.warnings));
});
