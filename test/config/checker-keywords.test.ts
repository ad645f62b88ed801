/**
 * Checker keywords as keepalived 2.2.7 reads them (issue 12): FILE_CHECK dynamic, which keepalived's parser does not
 * know, and the url regex options.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HttpChecker, SmtpChecker } from '../../config/model.js';
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

const urlBlock = (lines: string): string =>
  `virtual_server 10.0.0.1 80 {\n  lb_kind NAT\n  lb_algo rr\n  protocol TCP\n  real_server 10.0.0.2 80 {\n    HTTP_GET {\n      url {\n        path /\n${lines}\n      }\n    }\n  }\n}\n`;

test('regex_options: the PCRE2 options without a JavaScript equivalent are warned about, one by one', () => {
  const r = parse(urlBlock('        regex ok\n        regex_options caseless ungreedy utf ucp dupnames extended firstline alt_bsux allow_empty_class alt_circumflex no_start_optimize'));
  assert.deepEqual(errorsOf(r), []);
  assert.deepEqual(warningsOf(r), [
    `${MAIN}:10: virtual_server real_server HTTP_GET url regex_options ucp is accepted but not implemented by vigil`,
    `${MAIN}:10: virtual_server real_server HTTP_GET url regex_options dupnames is accepted but not implemented by vigil`,
  ]);
});

test("the url's end, as keepalived's: regex parameters without a regex, and min beyond max, are dropped with a warning", () => {
  const none = parse(urlBlock('        regex_options caseless\n        regex_min_offset 3\n        regex_no_match'));
  assert.deepEqual(warningsOf(none), [`${MAIN}:7: url: regex parameters specified without regex - ignoring them`]);
  const url = (r: typeof none) => (r.config.virtualServers[0]!.realServers[0]!.checkers[0] as HttpChecker).urls[0]!;
  assert.deepEqual([url(none).regexOptions, url(none).regexMinOffset, url(none).regexNoMatch], [undefined, undefined, false]);
  const crossed = parse(urlBlock('        regex ok\n        regex_min_offset 8\n        regex_max_offset 7'));
  assert.deepEqual(warningsOf(crossed), [`${MAIN}:7: url: regex_min_offset 8 > regex_max_offset 7 - ignoring both`]);
  assert.deepEqual([url(crossed).regexMinOffset, url(crossed).regexMaxOffset], [undefined, undefined]);
  const equal = parse(urlBlock('        regex ok\n        regex_min_offset 7\n        regex_max_offset 7'));
  assert.deepEqual(warningsOf(equal), []);
  assert.deepEqual([url(equal).regexMinOffset, url(equal).regexMaxOffset], [7, 7]);
  const stack = parse(urlBlock('        regex ok\n        regex_stack 9 8'));
  assert.deepEqual(warningsOf(stack), [`${MAIN}:10: regex_stack: start cannot exceed max value - ignoring`]);
});

test('a link-local checker address needs bind_if (keepalived check_conn_opts): the checker, or the SMTP host, is dropped with an error', () => {
  const rs = (checker: string) =>
    `virtual_server fd77::100 80 {\n  lb_kind NAT\n  lb_algo rr\n  protocol TCP\n  real_server fe80::1 80 {\n${checker}\n  }\n}\n`;
  const without = parse(rs('    TCP_CHECK {\n      connect_timeout 3\n    }'));
  assert.deepEqual(errorsOf(without), [`${MAIN}:6: virtual_server [fd77::100]:80 real_server fe80::1:80: Checker link local address fe80::1 requires a bind_if - checker ignored`]);
  assert.equal(without.config.virtualServers[0]!.realServers[0]!.checkers.length, 0);
  const withIf = parse(rs('    TCP_CHECK {\n      bind_if eth0\n    }'));
  assert.deepEqual(errorsOf(withIf), []);
  assert.equal(withIf.config.virtualServers[0]!.realServers[0]!.checkers.length, 1);
  const smtp = parse(rs('    SMTP_CHECK {\n      host {\n        connect_ip fe80::2\n      }\n      host {\n        connect_ip fe80::3\n        bind_if eth0\n      }\n    }'));
  assert.equal(errorsOf(smtp).length, 1);
  assert.match(errorsOf(smtp)[0]!, /fe80::2 requires a bind_if - host ignored$/);
  assert.deepEqual((smtp.config.virtualServers[0]!.realServers[0]!.checkers[0] as SmtpChecker).hosts.map((h) => h.connectIp), ['fe80::3']);
});
