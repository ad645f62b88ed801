/**
 * Script lines split into argv as keepalived splits them (lib/parser.c alloc_strvec_quoted_escaped): blanks,
 * both quotes, escapes inside and outside quotes, and the lines keepalived refuses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandLine, splitCommandLine } from '../../config/command-line.js';

test('blanks separate words; both quotes group them; quoted pieces join the word around them', () => {
  assert.deepEqual(splitCommandLine(`/bin/x  a "b c" 'd "e"' f`), ['/bin/x', 'a', 'b c', 'd "e"', 'f']);
  assert.deepEqual(splitCommandLine('  /usr/bin/x  "a  b" c\'d e\'f '), ['/usr/bin/x', 'a  b', 'cd ef']);
  assert.deepEqual(splitCommandLine('a"b"\'c\'d'), ['abcd']);
  // Every C isspace() character is a blank, and only those (a no-break space is part of a word).
  assert.deepEqual(splitCommandLine('a\tb\fc\vd\re\nf'), ['a', 'b', 'c', 'd', 'e', 'f']);
  assert.deepEqual(splitCommandLine('a\u00a0b'), ['a\u00a0b']);
});

test('empty quotes are an empty word', () => {
  assert.deepEqual(splitCommandLine('""'), ['']);
  assert.deepEqual(splitCommandLine(`/bin/x '' ""`), ['/bin/x', '', '']);
});

test('backslash escapes, outside and inside either quote', () => {
  assert.deepEqual(splitCommandLine('a\\ b'), ['a b']);
  assert.deepEqual(splitCommandLine('"say \\"hi\\""'), ['say "hi"']);
  // Unlike a shell, a backslash escapes inside single quotes too.
  assert.deepEqual(splitCommandLine("'it\\'s'"), ["it's"]);
  assert.deepEqual(splitCommandLine('back\\\\slash'), ['back\\slash']);
  assert.deepEqual(splitCommandLine('\\q\\z'), ['qz']);
});

test('C escapes: named, hex (two digits at most), octal (three at most), control', () => {
  assert.deepEqual(splitCommandLine('\\a\\b\\E\\f\\n\\r\\t\\v'), ['\x07\x08\x1b\x0c\n\r\t\x0b']);
  assert.deepEqual(splitCommandLine('\\x41\\x4a4 \\x7'), ['AJ4', '\x07']);
  // \x without a hex digit is a plain x.
  assert.deepEqual(splitCommandLine('\\xg'), ['xg']);
  assert.deepEqual(splitCommandLine('\\101\\1012 \\7'), ['AA2', '\x07']);
  assert.deepEqual(splitCommandLine('\\cA\\c['), ['\x01\x1b']);
  // \c at the end of the line is a plain c.
  assert.deepEqual(splitCommandLine('\\c'), ['c']);
});

test('escaped bytes are read as UTF-8, and a NUL ends the word as it ends a C string', () => {
  assert.deepEqual(splitCommandLine('caf\\xc3\\xa9 caf\\303\\251 café'), ['café', 'café', 'café']);
  assert.deepEqual(splitCommandLine('abc\\0def next'), ['abc', 'next']);
  // Octal wraps at a byte: \400 is 256, a NUL.
  assert.deepEqual(splitCommandLine('x\\400y'), ['x']);
});

test('lines keepalived refuses: an unterminated quote, a trailing backslash, no word at all', () => {
  assert.deepEqual(parseCommandLine('/bin/x "open'), { problem: 'missing terminating "' });
  assert.deepEqual(parseCommandLine("/bin/x 'open"), { problem: "missing terminating '" });
  assert.deepEqual(parseCommandLine('/bin/x \\'), { problem: 'a backslash at the end escapes nothing' });
  assert.deepEqual(parseCommandLine('   '), { problem: 'no command' });
  assert.deepEqual(parseCommandLine(''), { problem: 'no command' });
  // splitCommandLine gives no argv for them.
  assert.deepEqual(splitCommandLine('/bin/x "open'), []);
  assert.deepEqual(splitCommandLine('   '), []);
  assert.deepEqual(parseCommandLine('/bin/true'), { argv: ['/bin/true'] });
});
