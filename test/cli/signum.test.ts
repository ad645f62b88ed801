/**
 * keepalived's `--signum=NAME` on vigil: the number Debian's keepalived 2.2.7 prints on this host for each name it
 * knows (the real-time ones from the C library's SIGRTMIN / SIGRTMAX), and its refusal of any other (same
 * message, exit 1), compared with the real keepalived.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keepalivedSignum } from '../../cli/keepalived-args.js';
import { SIGNAL_FUNCTIONS, signalNumber } from '../../transport/real/keepalived-signals.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const VIGIL = join(ROOT, 'bin/vigil');

function run(command: string, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('keepalivedSignum finds --signum=NAME and --signum NAME on a keepalived-style command line only', () => {
  assert.equal(keepalivedSignum(['--signum=JSON']), 'JSON');
  assert.equal(keepalivedSignum(['-f', 'x.conf', '--signum', 'STATS']), 'STATS');
  assert.equal(keepalivedSignum(['--signum']), '');
  assert.equal(keepalivedSignum(['--signum=']), '');
  assert.equal(keepalivedSignum(['run', '-f', 'x', '--signum=JSON']), undefined);
  assert.equal(keepalivedSignum(['-f', 'x', '--', '--signum=JSON']), undefined);
  assert.equal(keepalivedSignum(['-f', 'x']), undefined);
});

test('the table: STOP, RELOAD, DATA, STATS are TERM, HUP, USR1, USR2; JSON and STATS_CLEAR real-time; others unknown', () => {
  assert.deepEqual(['STOP', 'RELOAD', 'DATA', 'STATS'].map(signalNumber), [15, 1, 10, 12]);
  const json = signalNumber('JSON')!;
  const clear = signalNumber('STATS_CLEAR')!;
  assert.ok(json >= 34 && clear > json && clear <= 64, `${json} ${clear}`);
  for (const name of ['TDATA', 'TDUMP', 'stop', 'Stats', '', 'STATS ']) assert.equal(signalNumber(name), undefined, name);
});

test('vigil --signum prints what keepalived --signum prints, and fails as it does', (t) => {
  if (spawnSync('keepalived', ['--version']).error) {
    if (process.env['VIGIL_REQUIRE_NETNS'] === '1') assert.fail('keepalived is not installed');
    t.skip('keepalived is not installed');
    return;
  }
  const names = [...SIGNAL_FUNCTIONS, 'TDATA', 'TDUMP', 'stop', 'NOPE', ''];
  for (const name of names) {
    const keepalived = run('keepalived', [`--signum=${name}`]);
    const vigil = run(VIGIL, [`--signum=${name}`]);
    assert.deepEqual(vigil, keepalived, `--signum=${name}`);
  }
  // Every name keepalived knows is a number; the separate-word spelling and other options before it too.
  for (const name of SIGNAL_FUNCTIONS) assert.match(run(VIGIL, [`--signum=${name}`]).stdout, /^\d+\n$/);
  assert.deepEqual(run(VIGIL, ['-f', '/nonexistent.conf', '--signum', 'STATS_CLEAR']), run('keepalived', ['-f', '/nonexistent.conf', '--signum', 'STATS_CLEAR']));
  // A missing value: exit 1 with one line on both (keepalived's own line names the option oddly: `--X`).
  const missing = [run(VIGIL, ['--signum']), run('keepalived', ['--signum'])];
  for (const r of missing) {
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^Missing parameter for option --\S+\n$/);
  }
});
