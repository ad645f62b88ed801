/**
 * The census of tracked processes (machines/process-census.ts), kept from a listing and the kernel's process
 * events as keepalived keeps its process tree: children count where their parents count, an exec judges again, a
 * name change touches only the blocks matching names, an exit counts nowhere; each change with its cause.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProcessCensus } from '../../machines/process-census.js';
import type { ProcessMatchSpec } from '../../machines/process-match.js';

const cmdline = (...argv: string[]): string => argv.map((a) => `${a}\0`).join('');

function census(): ProcessCensus {
  return new ProcessCensus(
    new Map<string, ProcessMatchSpec>([
      ['byName', { process: 'nginx', params: [], fullCommand: false }],
      ['byCommand', { process: '/usr/sbin/nginx', params: [], fullCommand: true }],
    ]),
  );
}

test('a listing counts each block; a second listing reports the difference as a fork or an exit', () => {
  const c = census();
  const first = c.rescan([
    { pid: 10, comm: 'nginx', cmdline: cmdline('/usr/sbin/nginx') },
    { pid: 11, comm: 'nginx', cmdline: cmdline('nginx: worker') },
    { pid: 12, comm: 'bash', cmdline: cmdline('bash') },
  ]);
  assert.deepEqual(first, [
    { name: 'byName', count: 2, cause: 'fork' },
    { name: 'byCommand', count: 1, cause: 'fork' },
  ]);
  assert.deepEqual(c.rescan([{ pid: 10, comm: 'nginx', cmdline: cmdline('/usr/sbin/nginx') }]), [{ name: 'byName', count: 1, cause: 'exit' }]);
  // After lost events keepalived counts a gained process at once: the caller says how growth is judged.
  assert.deepEqual(c.rescan([{ pid: 10, comm: 'nginx', cmdline: cmdline('/usr/sbin/nginx') }, { pid: 13, comm: 'nginx', cmdline: '' }], 'change'), [{ name: 'byName', count: 2, cause: 'change' }]);
});

test('fork: the child counts where its parent counts; a child of an uncounted process counts nowhere', () => {
  const c = census();
  c.rescan([{ pid: 10, comm: 'nginx', cmdline: cmdline('/usr/sbin/nginx') }]);
  assert.deepEqual(c.apply({ kind: 'fork', parent: 10, child: 20 }), [
    { name: 'byName', count: 2, cause: 'fork' },
    { name: 'byCommand', count: 2, cause: 'fork' },
  ]);
  assert.deepEqual(c.apply({ kind: 'fork', parent: 99, child: 21 }), []);
  assert.deepEqual(c.apply({ kind: 'fork', parent: 10, child: 20 }), [], 'a child already known is not counted twice');
});

test('exec: judged again by what it runs; unreadable (gone), left as it was', () => {
  const c = census();
  c.rescan([{ pid: 10, comm: 'nginx', cmdline: cmdline('/usr/sbin/nginx') }]);
  c.apply({ kind: 'fork', parent: 10, child: 20 });
  assert.deepEqual(c.apply({ kind: 'exec', pid: 20, identity: { comm: 'sh', cmdline: cmdline('/bin/sh', '-c', 'x') } }), [
    { name: 'byName', count: 1, cause: 'change' },
    { name: 'byCommand', count: 1, cause: 'change' },
  ]);
  assert.deepEqual(c.apply({ kind: 'exec', pid: 30, identity: { comm: 'nginx', cmdline: cmdline('/usr/sbin/nginx') } }), [
    { name: 'byName', count: 2, cause: 'change' },
    { name: 'byCommand', count: 2, cause: 'change' },
  ]);
  assert.deepEqual(c.apply({ kind: 'exec', pid: 30, identity: undefined }), []);
  assert.equal(c.count('byName'), 2);
});

test('comm: a new name counts or stops counting for the blocks by name only', () => {
  const c = census();
  c.rescan([{ pid: 10, comm: 'nginx', cmdline: cmdline('/usr/sbin/nginx') }]);
  assert.deepEqual(c.apply({ kind: 'comm', pid: 10, comm: 'nginx-old' }), [{ name: 'byName', count: 0, cause: 'change' }]);
  assert.equal(c.count('byCommand'), 1, 'the command line is untouched by a name change');
  assert.deepEqual(c.apply({ kind: 'comm', pid: 10, comm: 'nginx' }), [{ name: 'byName', count: 1, cause: 'change' }]);
});

test('exit: the process counts nowhere; an uncounted one changes nothing', () => {
  const c = census();
  c.rescan([{ pid: 10, comm: 'nginx', cmdline: cmdline('/usr/sbin/nginx') }]);
  assert.deepEqual(c.apply({ kind: 'exit', pid: 11 }), []);
  assert.deepEqual(c.apply({ kind: 'exit', pid: 10 }), [
    { name: 'byName', count: 0, cause: 'exit' },
    { name: 'byCommand', count: 0, cause: 'exit' },
  ]);
});
