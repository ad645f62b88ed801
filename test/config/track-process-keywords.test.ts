/**
 * vrrp_track_process keywords read as keepalived 2.2.7's vrrp_parser.c reads them: parameters imply full_command
 * and exact matching, `param_match` alone is exact, delays are a microsecond to an hour, quorum_max 0 makes the
 * quorum 0.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { renderConfig } from '../../config/render.js';
import { errorsOf, parse, warningsOf } from './helpers.js';

function block(body: string) {
  const r = parse(`vrrp_track_process t {\n${body}\n}\n`);
  return { errors: errorsOf(r), p: r.config.trackProcesses[0] };
}

test('process with parameters: full_command, exact unless param_match says otherwise', () => {
  const plain = block('process nginx');
  assert.deepEqual([plain.p?.fullCommand, plain.p?.paramMatch], [false, undefined]);
  const params = block('process /usr/sbin/nginx -g x');
  assert.deepEqual([params.p?.process, params.p?.params, params.p?.fullCommand, params.p?.paramMatch], ['/usr/sbin/nginx', ['-g', 'x'], true, 'exact']);
  const partial = block('param_match partial\nprocess nginx -g');
  assert.deepEqual([partial.p?.fullCommand, partial.p?.paramMatch], [true, 'partial']);
});

test('param_match: bare is exact, initial / partial, each implying full_command; anything else is an error', () => {
  assert.deepEqual([block('process nginx\nparam_match').p?.paramMatch, block('process nginx\nparam_match').p?.fullCommand], ['exact', true]);
  assert.deepEqual([block('process nginx\nparam_match initial').p?.paramMatch, block('process nginx\nparam_match initial').p?.fullCommand], ['initial', true]);
  const bad = block('process nginx\nparam_match exact');
  assert.equal(bad.errors.length, 1);
  assert.match(bad.errors[0]!, /:3: .*param_match: 'exact' is not initial or partial/);
});

test('fork_delay, terminate_delay, delay: seconds with decimals, a microsecond to an hour', () => {
  const both = block('process x\ndelay 1.5');
  assert.deepEqual([both.p?.forkDelay, both.p?.terminateDelay], [1.5, 1.5]);
  const each = block('process x\nfork_delay 2\nterminate_delay 0.25');
  assert.deepEqual([each.p?.forkDelay, each.p?.terminateDelay], [2, 0.25]);
  for (const bad of ['fork_delay 0', 'terminate_delay 3601', 'delay -1']) assert.equal(block(`process x\n${bad}`).errors.length, 1, bad);
});

test('quorum 1..65535; quorum_max 0 makes the quorum 0 (the process must not run)', () => {
  assert.deepEqual([block('process x\nquorum_max 0').p?.quorum, block('process x\nquorum_max 0').p?.quorumMax], [0, 0]);
  assert.equal(block('process x\nquorum 0').errors.length, 1);
  assert.deepEqual([block('process x\nquorum 2\nquorum_max 3').p?.quorum, block('process x\nquorum 2\nquorum_max 3').p?.quorumMax], [2, 3]);
});

test('a second process line is an error and the first stays', () => {
  const r = block('process a\nprocess b');
  assert.equal(r.p?.process, 'a');
  assert.equal(r.errors.length, 1);
});

test('render writes what reads back the same (bare param_match, no zero delays)', () => {
  for (const body of ['process nginx', 'process /usr/bin/x -a b\nparam_match', 'process x\nparam_match initial\nquorum_max 0', 'process x\nfork_delay 0.5']) {
    const first = parse(`vrrp_track_process t {\n${body}\n}\n`);
    const again = parse(renderConfig(first.config));
    assert.deepEqual(errorsOf(again), [], body);
    const { at: _a, ...a } = first.config.trackProcesses[0]!;
    const { at: _b, ...b } = again.config.trackProcesses[0]!;
    assert.deepEqual(b, a, body);
  }
});

test('a top-level track_process block is read, with a warning: keepalived knows it only as vrrp_track_process', () => {
  const r = parse('track_process t {\nprocess nginx\n}\n');
  assert.deepEqual(errorsOf(r), []);
  assert.equal(r.config.trackProcesses[0]?.process, 'nginx');
  assert.equal(warningsOf(r).length, 1);
  assert.match(warningsOf(r)[0]!, /:1: 'track_process NAME \{ \}' is not a keepalived block .* use 'vrrp_track_process'/);
  assert.deepEqual(warningsOf(parse('vrrp_track_process t {\nprocess nginx\n}\n')), []);
});

test('weight: 0 unless given (keepalived 2.2.7: a lost quorum is FAULT), -254..254 with reverse', () => {
  assert.deepEqual([block('process x').p?.weight, block('process x').p?.weightReverse], [0, false]);
  assert.deepEqual([block('process x\nweight -20 reverse').p?.weight, block('process x\nweight -20 reverse').p?.weightReverse], [-20, true]);
  assert.equal(block('process x\nweight 255').errors.length, 1);
});
