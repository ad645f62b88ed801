/** Include patterns: brace alternatives, `*`, `?`, `[...]`, hidden files, directories, missing literals. */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { memoryFileSystem } from '../../config/files.js';
import { expandBraces, globInclude, matchSegment } from '../../config/glob.js';

test('brace expansion keeps the order of the alternatives and nests', () => {
  assert.deepEqual(expandBraces('a{b,c{d,e}}f'), ['abf', 'acdf', 'acef']);
  assert.deepEqual(expandBraces('{x,y}/{1,2}'), ['x/1', 'x/2', 'y/1', 'y/2']);
  assert.deepEqual(expandBraces('no-braces'), ['no-braces']);
  assert.deepEqual(expandBraces('a\\{b,c}'), ['a\\{b,c}']);
});

test('segment matching: *, ?, classes, ranges, negation; a leading dot must be matched explicitly', () => {
  assert.ok(matchSegment('*.conf', 'a.conf'));
  assert.ok(!matchSegment('*.conf', 'a.conf.bak'));
  assert.ok(matchSegment('?0-*.conf', '10-vi.conf'));
  assert.ok(matchSegment('[0-9]*', '7x'));
  assert.ok(!matchSegment('[!0-9]*', '7x'));
  assert.ok(!matchSegment('*', '.hidden'));
  assert.ok(matchSegment('.*', '.hidden'));
});

test('globInclude: sorted matches, directories set apart, missing literal alternatives reported', () => {
  const fs = memoryFileSystem({ '/c/d/b.conf': '', '/c/d/a.conf': '', '/c/d/sub/x.conf': '', '/c/e.conf': '' });
  assert.deepEqual(globInclude('/c/d/*', fs), { files: ['/c/d/a.conf', '/c/d/b.conf'], directories: ['/c/d/sub'], missing: [], hadWildcard: true });
  assert.deepEqual(globInclude('/c/{e,f}.conf', fs), { files: ['/c/e.conf'], directories: [], missing: ['/c/f.conf'], hadWildcard: false });
  assert.deepEqual(globInclude('/c/*/*.conf', fs).files, ['/c/d/a.conf', '/c/d/b.conf']);
  assert.deepEqual(globInclude('/c/none/*.conf', fs), { files: [], directories: [], missing: [], hadWildcard: true });
});
