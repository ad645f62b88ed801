/**
 * Checker keywords as keepalived 2.2.7 reads them (issue 12): FILE_CHECK dynamic, which keepalived's parser does not
 * know, and the url regex options.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorsOf, MAIN, parse, warningsOf } from './helpers.js';

const fileCheck = (extra: string): string =>
  `track_file tf1 {\n  file /tmp/tf1\n  weight 3\n}\nvirtual_server 10.0.0.1 80 {\n  lb_kind NAT\n  lb_algo rr\n  protocol TCP\n  real_server 10.0.0.2 80 {\n    FILE_CHECK {\n      track_file tf1\n${extra}\n    }\n  }\n}\n`;

test('FILE_CHECK dynamic: a warning (keepalived 2.2.7 logs an unknown keyword and -t fails), and the checker is the same without it', () => {
  const withDynamic = parse(fileCheck('      dynamic'));
  const without = parse(fileCheck(''));
  assert.deepEqual(errorsOf(withDynamic), []);
  assert.deepEqual(warningsOf(withDynamic), [
    `${MAIN}:12: FILE_CHECK dynamic is not a keyword of keepalived 2.2.7 (its man page lists it, its parser does not): ignored, as keepalived does`,
  ]);
  assert.deepEqual(warningsOf(without), []);
  const checker = (r: typeof without): unknown => {
    const c = r.config.virtualServers[0]!.realServers[0]!.checkers[0]!;
    return { ...c, at: undefined };
  };
  assert.deepEqual(checker(withDynamic), checker(without));
});
