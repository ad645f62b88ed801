/**
 * track_process matching (machines/process-match.ts) by keepalived 2.2.7's rules (track_process.c check_params):
 * names against comm exactly, full commands against the command line's first word, parameters exact / partial /
 * initial over the NUL-separated command line, and how much of a command line must be read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cmdlineBytesFor, matchesProcess, needsComm, type ProcessMatchSpec } from '../../machines/process-match.js';

const cmdline = (...argv: string[]): string => argv.map((a) => `${a}\0`).join('');
const spec = (s: Partial<ProcessMatchSpec> & { process: string }): ProcessMatchSpec => ({ params: [], fullCommand: false, ...s });

test('by name: comm compared exactly, the command line ignored', () => {
  const nginx = spec({ process: 'nginx' });
  assert.equal(matchesProcess(nginx, { comm: 'nginx', cmdline: cmdline('nginx: worker process') }), true);
  assert.equal(matchesProcess(nginx, { comm: 'nginx-debug' }), false);
  assert.equal(matchesProcess(spec({ process: 'ssh' }), { comm: 'sshd' }), false);
  assert.equal(matchesProcess(nginx, { cmdline: cmdline('nginx') }), false, 'no comm read: no match by name');
});

test('full_command: the first word of the command line, exactly (a path is not its base name)', () => {
  const full = spec({ process: '/usr/sbin/nginx', fullCommand: true });
  assert.equal(matchesProcess(full, { comm: 'nginx', cmdline: cmdline('/usr/sbin/nginx', '-g', 'daemon off;') }), true);
  assert.equal(matchesProcess(full, { comm: 'nginx', cmdline: cmdline('nginx') }), false);
  assert.equal(matchesProcess(full, { comm: 'nginx', cmdline: '' }), false, 'a kernel thread or zombie has no command line');
  assert.equal(matchesProcess(full, { comm: 'nginx' }), false);
});

test('param_match exact: exactly the parameters given; none given means none at all', () => {
  const exact = spec({ process: 'sleep', params: ['100'], paramMatch: 'exact', fullCommand: true });
  assert.equal(matchesProcess(exact, { cmdline: cmdline('sleep', '100') }), true);
  assert.equal(matchesProcess(exact, { cmdline: cmdline('sleep', '1000') }), false);
  assert.equal(matchesProcess(exact, { cmdline: cmdline('sleep', '100', 'x') }), false);
  assert.equal(matchesProcess(exact, { cmdline: cmdline('sleep') }), false);
  const none = spec({ process: 'sleep', paramMatch: 'exact', fullCommand: true });
  assert.equal(matchesProcess(none, { cmdline: cmdline('sleep') }), true);
  assert.equal(matchesProcess(none, { cmdline: cmdline('sleep', '1') }), false);
});

test('param_match partial: the first parameters are those given, whole; initial: the last one given need only begin', () => {
  const partial = spec({ process: 'haproxy', params: ['-f', '/etc/h'], paramMatch: 'partial', fullCommand: true });
  assert.equal(matchesProcess(partial, { cmdline: cmdline('haproxy', '-f', '/etc/h', '-p', 'x') }), true);
  assert.equal(matchesProcess(partial, { cmdline: cmdline('haproxy', '-f', '/etc/h.cfg') }), false);
  assert.equal(matchesProcess(partial, { cmdline: cmdline('haproxy', '-p', 'x', '-f', '/etc/h') }), false, 'not anywhere: first');
  const initial = spec({ process: 'haproxy', params: ['-f', '/etc/h'], paramMatch: 'initial', fullCommand: true });
  assert.equal(matchesProcess(initial, { cmdline: cmdline('haproxy', '-f', '/etc/h.cfg') }), true);
  assert.equal(matchesProcess(initial, { cmdline: cmdline('haproxy', '-f', '/etc/h') }), true);
  assert.equal(matchesProcess(initial, { cmdline: cmdline('haproxy', '-fx', '/etc/h') }), false, 'only the last may go on');
  const any = spec({ process: 'haproxy', paramMatch: 'partial', fullCommand: true });
  assert.equal(matchesProcess(any, { cmdline: cmdline('haproxy', 'a', 'b') }), true, 'partial with no parameters: any');
});

test('a command line cut where it was read still tells a longer one from an equal one', () => {
  const specs = [spec({ process: 'sleep', params: ['100'], paramMatch: 'exact', fullCommand: true }), spec({ process: 'nginx' })];
  const bytes = cmdlineBytesFor(specs);
  assert.equal(bytes, 'sleep\x00100\x00'.length + 2);
  const longer = cmdline('sleep', '1000000');
  assert.equal(matchesProcess(specs[0]!, { cmdline: longer.slice(0, bytes) }), false);
  assert.equal(matchesProcess(specs[0]!, { cmdline: cmdline('sleep', '100').slice(0, bytes) }), true);
  assert.equal(cmdlineBytesFor([spec({ process: 'nginx' })]), 0, 'names only: no command line is read');
  assert.equal(needsComm(specs), true);
  assert.equal(needsComm([specs[0]!]), false);
});
