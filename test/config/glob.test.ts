/** Include patterns: brace alternatives, `*`, `?`, `[...]`, hidden files, directories, missing literals. */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import fc from 'fast-check';
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

/** fnmatch(3) of `*`, `?` and literals through a regular expression, the reference for the matcher. */
function reference(pattern: string, name: string): boolean {
  if (name.startsWith('.') && !pattern.startsWith('.')) return false;
  const source = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, 's').test(name);
}

test('segment matching agrees with a regular expression on generated patterns and names', () => {
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom('a', 'b', '*', '?', '.'), maxLength: 12 }), fc.string({ unit: fc.constantFrom('a', 'b', '.'), maxLength: 12 }), (pattern, name) => {
      assert.equal(matchSegment(pattern, name), reference(pattern, name), `'${pattern}' against '${name}'`);
    }),
    { numRuns: 5000 },
  );
});

test('segment matching is not exponential: a hundred stars against a 255-character name', () => {
  assert.equal(matchSegment(`${'*a'.repeat(100)}b`, 'a'.repeat(255)), false);
  assert.equal(matchSegment(`${'*a'.repeat(100)}*`, 'a'.repeat(255)), true);
  assert.equal(matchSegment(`${'*a'.repeat(100)}b`, `${'a'.repeat(254)}b`), true);
});

test('brace expansion stops past its limit without making every alternative; globInclude says which limit was passed', () => {
  assert.equal(expandBraces('{a,b}'.repeat(40), 4096), undefined);
  assert.equal(expandBraces('{a,b}'.repeat(12), 4096)?.length, 4096);
  assert.equal(expandBraces('{a,b}'.repeat(13), 4096), undefined);
  const fs = memoryFileSystem({ '/c/a.conf': '', '/c/b.conf': '', '/c/d/x.conf': '' });
  assert.equal(globInclude(`/c/${'{a,b}'.repeat(13)}`, fs, { maxAlternatives: 4096, maxPaths: 100 }).tooMany, 'alternatives');
  assert.equal(globInclude('/c/*', fs, { maxAlternatives: 10, maxPaths: 2 }).tooMany, 'paths');
  assert.deepEqual(globInclude('/c/*', fs, { maxAlternatives: 10, maxPaths: 3 }).files, ['/c/a.conf', '/c/b.conf']);
});
