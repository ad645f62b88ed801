/**
 * HTTP_GET / SSL_GET url regex_options, regex_min_offset and regex_max_offset (keepalived 2.2.7 check_http.c
 * check_regex): from keepalived.conf text to the probe spec, and the body judged by the real prober.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeResponse } from '../../transport/real/probers/http-prober.js';
import type { HttpProbeSpec, HttpUrlProbe } from '../../transport/prober.js';
import { bodyMatches, regexFlags } from '../../protocol/http-body-regex.js';
import { translatePattern } from '../../protocol/pcre2-pattern.js';
import { virtualServersOf } from './lvs-config.js';

function urlOf(urlLines: string): HttpUrlProbe {
  const [vs] = virtualServersOf(
    `virtual_server 10.0.0.1 80 {\nprotocol TCP\nreal_server 10.0.0.2 8080 {\nHTTP_GET {\nurl {\npath /health\n${urlLines}\n}\n}\n}\n}\n`,
  );
  return (vs!.realServers[0]!.checkers[0]!.probe as HttpProbeSpec).urls[0]!;
}

const ok = (body: string) => ({ status: 200, body: Buffer.from(body, 'latin1') });

test('regex_options caseless, dotall, multiline become JavaScript flags and change what matches', () => {
  const body = ok('Status:\nHEALTHY\n');
  const plain = urlOf('regex "status:.healthy"');
  assert.equal(plain.regexFlags, undefined);
  assert.equal(judgeResponse(plain, body), 'body does not match regex');
  const opts = urlOf('regex "status:.healthy"\nregex_options caseless dotall');
  assert.equal(opts.regexFlags, 'is');
  assert.equal(judgeResponse(opts, body), undefined);
  // multiline: ^ after a newline.
  assert.equal(judgeResponse(urlOf('regex "^HEALTHY$"'), body), 'body does not match regex');
  assert.equal(judgeResponse(urlOf('regex "^HEALTHY$"\nregex_options multiline'), body), undefined);
  // Unknown words are ignored, as keepalived does; options with no flag add none.
  assert.equal(regexFlags(['no_start_optimize', 'bogus', 'multiline', 'caseless', 'caseless']), 'im');
});

test('regex_options utf reads the body as UTF-8: one character, and byte offsets still count bytes', () => {
  const body = { status: 200, body: Buffer.from('héllo wörld', 'utf8') };
  assert.equal(judgeResponse(urlOf('regex "^h.llo"'), body), 'body does not match regex', 'é is two bytes without utf');
  assert.equal(judgeResponse(urlOf('regex "^h.llo"\nregex_options utf'), body), undefined);
  // "wörld" starts at byte 7 (é is two bytes) but at character 6.
  assert.equal(bodyMatches({ source: 'w.rld', flags: 'u', maxOffset: 7 }, body.body), true);
  assert.equal(bodyMatches({ source: 'w.rld', flags: 'u', maxOffset: 6 }, body.body), false);
  assert.equal(bodyMatches({ source: 'w.rld', flags: 'u', minOffset: 7 }, body.body), true);
  assert.equal(bodyMatches({ source: 'w.rld', flags: 'u', minOffset: 8 }, body.body), false);
});

test('regex_min_offset: the search starts at that byte; lookbehind still sees what comes before', () => {
  const body = ok('ok........ok');
  const from = (n: number): HttpUrlProbe => urlOf(`regex "ok"\nregex_min_offset ${n}`);
  assert.equal(from(3).regexMinOffset, 3);
  assert.equal(judgeResponse(from(3), body), undefined, 'the second ok at byte 10');
  assert.equal(judgeResponse(from(10), body), undefined);
  assert.equal(judgeResponse(from(11), body), 'body does not match regex');
  assert.equal(judgeResponse(from(40), body), 'body does not match regex', 'beyond the body');
  assert.equal(judgeResponse(urlOf('regex "(?<=[.])ok"\nregex_min_offset 10'), body), undefined);
  // ^ still means the start of the body, as with PCRE2's start offset.
  assert.equal(judgeResponse(urlOf('regex "^ok"\nregex_min_offset 1'), body), 'body does not match regex');
});

test('regex_max_offset: the first match must start at that byte at the latest; regex_no_match inverts', () => {
  const body = ok('..........healthy');
  const upTo = (n: number, extra = ''): HttpUrlProbe => urlOf(`regex "healthy"\nregex_max_offset ${n}${extra}`);
  assert.equal(upTo(10).regexMaxOffset, 10);
  assert.equal(judgeResponse(upTo(10), body), undefined);
  assert.equal(judgeResponse(upTo(9), body), 'body does not match regex');
  assert.equal(judgeResponse(upTo(9, '\nregex_no_match'), body), undefined);
  assert.equal(judgeResponse(upTo(10, '\nregex_no_match'), body), 'body matches regex_no_match');
  // A window: min and max together.
  assert.equal(judgeResponse(urlOf('regex "h"\nregex_min_offset 5\nregex_max_offset 10'), body), undefined);
  assert.equal(judgeResponse(urlOf('regex "y"\nregex_min_offset 5\nregex_max_offset 10'), body), 'body does not match regex');
});

test('regex_options extended: white space and # comments in the pattern are ignored, except escaped or in a class', () => {
  const body = ok('Status: HEALTHY\n');
  const pattern = 'regex "Status:\\ HEALTHY # the word the server writes"';
  assert.equal(judgeResponse(urlOf(pattern), body), 'body does not match regex');
  const url = urlOf(`${pattern}\nregex_options extended`);
  assert.equal(url.regex, 'Status:\\ HEALTHY');
  assert.equal(judgeResponse(url, body), undefined);
  assert.equal(translatePattern('a [ ] b', ['extended']), 'a[ ]b');
});

test('regex_options ungreedy: quantifiers are lazy, and one followed by ? greedy', () => {
  assert.equal(translatePattern('a+?b{2,}?c??(?:d)*[*+]\\*', ['ungreedy']), 'a+b{2,}c?(?:d)*?[*+]\\*');
  // What matches: greedy, the group runs to the last </b>; ungreedy, to the first.
  const body = ok('<b>one</b><b>two</b>');
  const url = urlOf('regex "^<b>(.*)</b>"\nregex_options ungreedy');
  assert.equal(url.regex, '^<b>(.*?)</b>');
  const groupOf = (source: string): string | undefined => new RegExp(source).exec(body.body.toString('latin1'))?.[1];
  assert.equal(groupOf(urlOf('regex "^<b>(.*)</b>"').regex!), 'one</b><b>two');
  assert.equal(groupOf(url.regex!), 'one');
  assert.equal(judgeResponse(urlOf('regex "^<b>(.*)</b>$"\nregex_options ungreedy'), body), undefined, 'anchored, a lazy group still reaches the end');
});

test('regex_options alt_bsux: \\U is U, \\u and \\x are letters unless four or two hex digits follow, also with utf', () => {
  const body = ok('UxZ A');
  const url = urlOf('regex "\\U\\xZ\\s\\u0041"\nregex_options alt_bsux utf');
  assert.equal(url.regex, 'UxZ\\s\\u0041');
  assert.equal(judgeResponse(url, body), undefined);
  // Without alt_bsux, with utf, JavaScript refuses \U: the check fails on a bad regex.
  assert.match(judgeResponse(urlOf('regex "\\U\\xZ"\nregex_options utf'), body) ?? '', /^bad regex/);
});

test('regex_options firstline: the match must start on the first line searched (at its newline at the latest)', () => {
  const body = ok('starting\nready\n');
  assert.equal(judgeResponse(urlOf('regex "ready"'), body), undefined);
  const url = urlOf('regex "ready"\nregex_options firstline');
  assert.equal(url.regexFirstLine, true);
  assert.equal(judgeResponse(url, body), 'body does not match regex');
  // It may run on past the newline; and the first line is the one regex_min_offset starts in.
  assert.equal(judgeResponse(urlOf('regex "ing.ready"\nregex_options firstline dotall'), body), undefined);
  assert.equal(judgeResponse(urlOf('regex "\\nready"\nregex_options firstline'), body), undefined, 'a match starting at the newline');
  assert.equal(judgeResponse(urlOf('regex "ready"\nregex_options firstline\nregex_min_offset 9'), body), undefined);
});

test('regex_options allow_empty_class and alt_circumflex ask for what JavaScript does: [] matches nothing, ^ matches after a final newline', () => {
  const body = ok('line\n');
  assert.equal(judgeResponse(urlOf('regex "x[]"\nregex_options allow_empty_class'), ok('x')), 'body does not match regex');
  assert.equal(judgeResponse(urlOf('regex "x[^]"\nregex_options allow_empty_class'), ok('xy')), undefined);
  assert.equal(judgeResponse(urlOf('regex "\\n^$"\nregex_options multiline alt_circumflex'), body), undefined);
});
