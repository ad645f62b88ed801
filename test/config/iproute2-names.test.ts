/** iproute2 name files read as keepalived 2.2.7 reads them (config/iproute2-names.ts). */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { iproute2Names, parseNameFile, unsignedNumber, type NameFileReader } from '../../config/iproute2-names.js';

function reader(files: Record<string, string>): NameFileReader {
  return {
    read: (p) => files[p],
    list: (d) => Object.keys(files).filter((p) => p.startsWith(`${d}/`) && !p.slice(d.length + 1).includes('/')).map((p) => p.slice(d.length + 1)),
  };
}

test('numbers as strtoul(…, 0) reads them: decimal, 0x hex, 0 octal, nothing else', () => {
  assert.deepEqual(['100', '0x64', '0144', '0', '+7'].map(unsignedNumber), [100, 100, 100, 0, 7]);
  assert.deepEqual(['08', '0x', '-1', '1e3', '12a', ''].map(unsignedNumber), [undefined, undefined, undefined, undefined, undefined, undefined]);
});

test('a name file: only lines of exactly two words with a number in range; a trailing comment spoils the line', () => {
  const text = '#\n# reserved values\n255\tlocal\n#1\tinr.ruhep\n0x10 hex\n100 mytable # mine\n"7" quoted\n300 toobig\n  42   spaced  \n';
  assert.deepEqual(parseNameFile(text, 255), [[255, 'local'], [16, 'hex'], [7, 'quoted'], [42, 'spaced']]);
});

test('names: the file first (first line wins), then FILE.d/*.conf in order, then keepalived built-ins for ids left out', () => {
  const names = iproute2Names(
    reader({
      '/etc/iproute2/rt_tables': '254 mymain\n100 web\n101 web\n',
      '/etc/iproute2/rt_tables.d/b.conf': '201 second\n',
      '/etc/iproute2/rt_tables.d/a.conf': '200 first\n201 web\n',
      '/etc/iproute2/rt_tables.d/skip.txt': '202 ignored\n',
    }),
  );
  assert.deepEqual(['web', 'mymain', 'local', 'default', 'first', 'second', 'ignored'].map((n) => names.resolve('table', n)), [100, 254, 255, 253, 200, 201, undefined]);
  // keepalived adds its built-in `main` only when the file does not name id 254.
  assert.equal(names.resolve('table', 'main'), undefined);
  assert.deepEqual(['0', '4294967295', '4294967296'].map((n) => names.resolve('table', n)), [0, 4294967295, undefined]);
  assert.deepEqual(['256', 'bird', 'nosuch'].map((n) => names.resolve('protocol', n)), [undefined, 12, undefined]);
  assert.equal(names.sources('table'), '/etc/iproute2/rt_tables or rt_tables.d/*.conf');
});

test('names: /usr/share/iproute2 stands in for a missing /etc/iproute2 file; without any file only the built-ins', () => {
  const names = iproute2Names(reader({ '/usr/share/iproute2/rt_protos': '18 keepalived\n' }));
  assert.deepEqual(['keepalived', 'static', 'site', 'cosmos'].map((n, i) => names.resolve(i < 2 ? 'protocol' : i === 2 ? 'scope' : 'realm', n)), [18, 4, 200, undefined]);
});
