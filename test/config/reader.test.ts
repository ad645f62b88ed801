/** The configuration language: comments, quotes, braces, includes, @id lines, $definitions, ~SEQ/~LST. */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { errorsOf, MAIN, parse, warningsOf } from './helpers.js';
import { Diagnostics } from '../../config/diagnostics.js';
import { memoryFileSystem } from '../../config/files.js';
import { ConfigReader } from '../../config/reader.js';

/** The reader's logical lines as text, e.g. "2: router_id R1". */
function lines(text: string, files: Record<string, string> = {}, configId?: string): string[] {
  const d = new Diagnostics();
  const r = new ConfigReader(MAIN, d, { fs: memoryFileSystem({ [MAIN]: text, ...files }), configId });
  const out: string[] = [];
  for (let l = r.next(); l; l = r.next()) out.push(`${l.file === MAIN ? '' : `${l.file}:`}${l.line}: ${l.words.join('|')}`);
  for (const e of d.errors) out.push(`error ${e.file}:${e.line}: ${e.message}`);
  return out;
}

test('comments start with # or ! anywhere outside double quotes; \\# escapes', () => {
  assert.deepEqual(lines('a b # c\n! all\nd "e # f" ! g\nh\\#i j\n'), ['1: a|b', '3: d|e # f', '4: h#i|j']);
});

test('a double-quoted word keeps its spaces; a quote inside a word ends the word', () => {
  assert.deepEqual(lines('script "/bin/a b"  x\nk ab"c d"\n'), ['1: script|/bin/a b|x', '2: k|ab|c d']);
});

test('braces are lines of their own wherever they are written', () => {
  assert.deepEqual(lines('a { b c } d\n{\n}e\n'), ['1: a', '1: {', '1: b|c', '1: }', '1: d', '2: {', '3: }', '3: e']);
  assert.deepEqual(lines('x "{ not a brace }" {\n'), ['1: x|{ not a brace }', '1: {']);
});

test('an unterminated quote is an error at its line', () => {
  const r = parse('global_defs {\n  router_id "abc\n}\n');
  assert.deepEqual(errorsOf(r), [`${MAIN}:2: unterminated quote`, `${MAIN}:2: unmatched quote in 'router_id "abc'`, `${MAIN}:2: router_id: missing value`]);
});

test('a trailing backslash outside a definition does not continue the line (as keepalived 2.2)', () => {
  const r = parse('vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id \\\n    51\n}\n');
  assert.ok(warningsOf(r).includes(`${MAIN}:3: unknown keyword 'virtual_router_id\\' in vrrp_instance`));
  assert.ok(warningsOf(r).includes(`${MAIN}:4: unknown keyword '51' in vrrp_instance`));
});

test('@id lines are kept only for that config id, @^id lines for every other', () => {
  const text = '@main a 1\n@backup a 2\n@^main b 3\n@^backup b 4\n@main\n';
  assert.deepEqual(lines(text, {}, 'main'), ['1: a|1', '4: b|4']);
  assert.deepEqual(lines(text, {}, 'backup'), ['2: a|2', '3: b|3']);
  assert.deepEqual(lines(text), ['3: b|3', '4: b|4']);
});

test('$NAME=value definitions expand as $NAME (before white space) and ${NAME}, recursively, at use time', () => {
  const text = '$ADDRESS_BASE=10.2.${ADDRESS_BASE_SUB}\n$ADDRESS_BASE_SUB=0\n${ADDRESS_BASE}.100/32\n$ADDRESS_BASE_SUB=10\n${ADDRESS_BASE}.100/32\n$P=240\npriority $P\nx $Px ${UNDEFINED}\n';
  assert.deepEqual(lines(text), ['3: 10.2.0.100/32', '5: 10.2.10.100/32', '7: priority|240', '8: x|$Px|$', '8: {', '8: UNDEFINED', '8: }']);
});

test('definitions combine with conditionals: @main $PRIO=240 and $IF_MAIN=@main', () => {
  const text = '@main $PRIORITY=240\n@backup $PRIORITY=200\npriority $PRIORITY\n$IF_MAIN=@main\n$IF_MAIN weight 1\n';
  assert.deepEqual(lines(text, {}, 'main'), ['3: priority|240', '5: weight|1']);
  assert.deepEqual(lines(text, {}, 'backup'), ['3: priority|200']);
});

test('a multi-line definition (lines ending in \\) expands to its lines, nested definitions included', () => {
  const text = [
    '$RS= \\',
    'real_server 192.168.${VS_NUM}.${RS_NUM} 80 { \\',
    '    weight ${RS_NUM} \\',
    '}',
    '$VS= \\',
    'virtual_server 10.0.${VS_NUM}.4 80 { \\',
    '    $RS_NUM=1 \\',
    '    $RS \\',
    '    $RS_NUM=2 \\',
    '    $RS \\',
    '}',
    '$VS_NUM=7',
    '$VS',
  ].join('\n');
  assert.deepEqual(lines(text), [
    '13: virtual_server|10.0.7.4|80',
    '13: {',
    '13: real_server|192.168.7.1|80',
    '13: {',
    '13: weight|1',
    '13: }',
    '13: real_server|192.168.7.2|80',
    '13: {',
    '13: weight|2',
    '13: }',
    '13: }',
  ]);
});

test('an empty line ends a multi-line definition', () => {
  assert.deepEqual(lines('$X= \\\na 1 \\\n\nb 2\n$X\n'), ['4: b|2', '5: a|1']);
});

test('~SEQ(VAR, start, step, end) repeats the rest of the line; start and step may be omitted; ~SEQx is hex', () => {
  assert.deepEqual(lines('~SEQ(N, 0, 2, 4) ip 10.0.${N}.1\n'), ['1: ip|10.0.0.1', '1: ip|10.0.2.1', '1: ip|10.0.4.1']);
  assert.deepEqual(lines('~SEQ(N, 3) n $N\n'), ['1: n|1', '1: n|2', '1: n|3']);
  assert.deepEqual(lines('~SEQ(N, 3, 1) n $N\n'), ['1: n|3', '1: n|2', '1: n|1']);
  assert.deepEqual(lines('~SEQx(A, 0x90, 0x10, 0xb0) fe80::${A}:1\n'), ['1: fe80::90:1', '1: fe80::a0:1', '1: fe80::b0:1']);
  assert.deepEqual(lines('~SEQ(I, 1, 2) ~SEQ(J, 1, 2) p ${I}.${J}\n'), ['1: p|1.1', '1: p|1.2', '1: p|2.1', '1: p|2.2']);
});

test('~SEQ with bad values is an error at its line', () => {
  assert.deepEqual(lines('a\n~SEQ(N, 1, -1, 5) x\n'), ['1: a', "error /cfg/keepalived.conf:2: invalid ~SEQ values '~SEQ(N, 1, -1, 5) x'"]);
});

test('~LST sets one or several variables per round', () => {
  assert.deepEqual(lines('~LST(IP, 1, 2) 10.0.0.${IP}\n'), ['1: 10.0.0.1', '1: 10.0.0.2']);
  assert.deepEqual(lines('~LST({IP, IP1}, {10,1},{20,4}) 192.168.${IP}.${IP1}\n'), ['1: 192.168.10.1', '1: 192.168.20.4']);
});

test('a multi-line definition replicated by ~SEQ (keepalived.conf(5) example)', () => {
  const text = '$I= \\\nvrrp_instance VI_${N} { \\\n  virtual_router_id ${N} \\\n}\n~SEQ(N, 1, 2) $I\n';
  assert.deepEqual(lines(text), ['5: vrrp_instance|VI_1', '5: {', '5: virtual_router_id|1', '5: }', '5: vrrp_instance|VI_2', '5: {', '5: virtual_router_id|2', '5: }']);
});

test('predefined ${_PWD}, ${_INSTANCE}, ${_HASH}, ${_BANG} and ${_RANDOM MIN MAX}', () => {
  // As in keepalived, the substituted line is decommented again: a bare ${_HASH} still starts a comment.
  const out = lines('$X=1\na ${_PWD} ${_INSTANCE} "${_HASH}${_BANG}" ${_BANG}\nr ${_RANDOM 5 7}\n', {}, 'lb1');
  assert.equal(out[0], '2: a|/cfg|lb1|#!');
  const n = Number(out[1]!.split('|')[1]);
  assert.ok(n >= 5 && n <= 7, out[1]);
});

test('random_seed seeds the ${_RANDOM} of the lines after it: one seed, one configuration; another seed, another', () => {
  const text = (seed: number): string => `a \${_RANDOM 0 1000000000}\nglobal_defs {\nrandom_seed ${seed}\n}\nb \${_RANDOM 0 1000000000} \${_RANDOM 0 1000000000}\n`;
  const values = (seed: number): string[] => lines(text(seed)).filter((l) => /: [ab]\|/.test(l));
  const [a7, b7] = values(7);
  const [a8, b8] = values(8);
  assert.deepEqual(values(7), [a7, b7]);
  assert.equal(a7, a8, 'a line before random_seed is not affected');
  assert.notEqual(b7, b8);
});

test('predefined definitions are substituted without any user definition, in quotes too (keepalived 2.2.7 sets them at start)', () => {
  assert.deepEqual(lines('script "${_PWD}/check.sh arg"\nb ${_INSTANCE} $HOME\n', {}, 'lb1'), ['1: script|/cfg/check.sh arg', '2: b|lb1|$HOME']);
});

test('a definition that refers to itself is an error, not a hang', () => {
  const out = lines('$A=x $A\ny $A\nz\n');
  assert.ok(out.includes('3: z'));
  assert.ok(out.some((l) => l.startsWith('error /cfg/keepalived.conf:2: parameter substitution does not terminate')), out.join('\n'));
});

test('include reads files relative to the including file, globs sorted, brace alternatives in order', () => {
  const files = {
    '/cfg/conf.d/b.conf': 'b 1\ninclude ../sub/x.conf\n',
    '/cfg/conf.d/a.conf': 'a 1\n',
    '/cfg/conf.d/c.txt': 'c 1\n',
    '/cfg/sub/x.conf': 'x 1\n',
    '/cfg/sub/y.conf': 'y 1\n',
  };
  assert.deepEqual(lines('include conf.d/*.conf\ninclude sub/{y,x}.conf\nend\n', files), [
    '/cfg/conf.d/a.conf:1: a|1',
    '/cfg/conf.d/b.conf:1: b|1',
    '/cfg/sub/x.conf:1: x|1',
    '/cfg/sub/y.conf:1: y|1',
    '/cfg/sub/x.conf:1: x|1',
    '3: end',
  ]);
});

test('a missing include file is an error at the include line; a wildcard matching nothing a warning', () => {
  const r = parse('global_defs {\n}\ninclude nothere.conf\ninclude none/*.conf\n');
  assert.deepEqual(errorsOf(r), [`${MAIN}:3: include: cannot open '/cfg/nothere.conf': no such file`]);
  assert.deepEqual(warningsOf(r), [`${MAIN}:4: include: no file matches 'none/*.conf'`]);
  const w = parse('includew none/*.conf\n');
  assert.deepEqual(errorsOf(w), [`${MAIN}:1: include: no file matches 'none/*.conf'`]);
});

test('include_check makes the problems of plain includes after it errors; an included file changes it for itself only', () => {
  const files = { '/cfg/sub/x.conf': 'x 1\n', '/cfg/inner.conf': 'include_check -wildcard_match\ninclude none/*.conf\n' };
  // Before the line: warnings. After it: errors (wildcard_match, and read for a directory).
  const r = parse('include none/*.conf\nglobal_defs {\n  include_check\n}\ninclude none/*.conf\ninclude sub/\n', files);
  assert.deepEqual(warningsOf(r).filter((w) => w.includes('include:')), [`${MAIN}:1: include: no file matches 'none/*.conf'`]);
  assert.deepEqual(errorsOf(r), [`${MAIN}:5: include: no file matches 'none/*.conf'`, `${MAIN}:6: include: '/cfg/sub' is a directory - skipping`]);
  // A file included after it removes wildcard_match for its own lines; the including file's setting is back after it.
  const nested = parse('global_defs {\n  include_check +wildcard_match\n}\ninclude inner.conf\ninclude none/*.conf\n', files);
  assert.deepEqual(warningsOf(nested).filter((w) => w.includes('include:')), [`/cfg/inner.conf:2: include: no file matches 'none/*.conf'`]);
  assert.deepEqual(errorsOf(nested), [`${MAIN}:5: include: no file matches 'none/*.conf'`]);
  assert.deepEqual(errorsOf(parse('global_defs {\n  include_check +sometimes\n}\n')), [`${MAIN}:2: include_check: unknown include_check type 'sometimes' - ignoring`]);
});

test('an include cycle is an error naming the chain, at the including line', () => {
  const r = parse('include a.conf\n', { '/cfg/a.conf': 'global_defs {\n}\ninclude b.conf\n', '/cfg/b.conf': '\ninclude a.conf\n' });
  assert.deepEqual(errorsOf(r), ['/cfg/b.conf:2: include cycle: /cfg/keepalived.conf -> /cfg/a.conf -> /cfg/b.conf -> /cfg/a.conf']);
  const self = parse('include keepalived.conf\n');
  assert.deepEqual(errorsOf(self), [`${MAIN}:1: include cycle: /cfg/keepalived.conf -> /cfg/keepalived.conf`]);
});

test('the lines after an include continue in the including file, blocks may span files', () => {
  const r = parse('vrrp_instance VI_1 {\n  include vi-body.conf\n  priority 42\n}\n', {
    '/cfg/vi-body.conf': 'interface eth0\nvirtual_router_id 9\nvirtual_ipaddress {\n 192.0.2.9\n}\n',
  });
  assert.deepEqual(errorsOf(r), []);
  assert.equal(r.config.vrrpInstances[0]!.priority, 42);
  assert.equal(r.config.vrrpInstances[0]!.virtualRouterId, 9);
});
