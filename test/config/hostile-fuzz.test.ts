/**
 * Property: generated hostile configurations, read from a real directory that holds hostile files (a FIFO, a
 * socket, links to /dev/zero and to themselves, an executable, binary data, a file that includes every file, a
 * sparse file past the byte cap, a directory), never make loading throw anything but ConfigLoadError, and the
 * parser reports every problem as a diagnostic with a file and a line, never as an internal error. The reader's
 * caps are lowered so that generated inputs reach them quickly; that every input ends soon is a bench matter (a
 * regression shows up as a run that does not end).
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { ConfigLoadError, loadConfigText } from '../../config/load.js';
import { parseConfigText } from '../../config/parse.js';
import type { ReaderLimits } from '../../config/reader-limits.js';

const dir = mkdtempSync(join(tmpdir(), 'config-input-fuzz-'));
const MAIN = join(dir, 'keepalived.conf');
let server: Server | undefined;

/** Names in the directory, for include patterns. */
const NAMES = ['fifo.conf', 'zero.conf', 'loop.conf', 'exec.conf', 'binary.conf', 'all.conf', 'big.conf', 'sub', 'sock.conf', 'ok.conf', 'keepalived.conf', 'missing.conf'];

before(async () => {
  execFileSync('mkfifo', [join(dir, 'fifo.conf')]);
  symlinkSync('/dev/zero', join(dir, 'zero.conf'));
  symlinkSync('loop.conf', join(dir, 'loop.conf'));
  writeFileSync(join(dir, 'exec.conf'), 'global_defs {\n}\n');
  chmodSync(join(dir, 'exec.conf'), 0o755);
  writeFileSync(join(dir, 'binary.conf'), Buffer.from([0x67, 0x0a, 0x00, 0xff, 0xfe, 0x0a, 0x7b]));
  writeFileSync(join(dir, 'all.conf'), 'include *\ninclude */*\n');
  writeFileSync(join(dir, 'big.conf'), '');
  truncateSync(join(dir, 'big.conf'), 128 * 1024);
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'inner.conf'), 'include ../*.conf\n');
  writeFileSync(join(dir, 'ok.conf'), 'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 1\n}\n');
  server = createServer();
  await new Promise<void>((resolve) => server!.listen(join(dir, 'sock.conf'), resolve));
});

after(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const LIMITS: Partial<ReaderLimits> = {
  maxFiles: 50,
  maxBytes: 64 * 1024,
  maxLineLength: 4096,
  maxGeneratedLines: 5000,
  maxExpansionWork: 2_000_000,
};

const name = fc.constantFrom('A', 'B', 'C', 'D', '_RANDOM', '_PWD');
const reference = fc.oneof(name.map((n) => `$${n}`), name.map((n) => `\${${n}}`), fc.constant('${_RANDOM 1 9}'));
const number = fc.oneof(fc.integer({ min: -5, max: 20 }), fc.integer(), fc.constantFrom(2 ** 31, 1e9, 0x7fffffff));
const pattern = fc
  // Relative, and never through `..`: the patterns stay inside the directory made here.
  .array(fc.oneof(fc.constantFrom(...NAMES), fc.constantFrom('*', '?', '[a-z]', '{a,b}', '{ok,exec,fifo}.conf', '{', '}', '\\', '**', 'sub/*')), { minLength: 1, maxLength: 4 })
  .map((parts) => parts.join(''));

/** One hostile line. */
const line: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom('', 'r', 'm', 'w', 'b', 'a'), pattern).map(([variant, p]) => `include${variant} ${p}`),
  fc.tuple(name, fc.array(fc.oneof(reference, fc.constantFrom('x', ' ', '{', '}', '~SEQ(N, 1, 3)', '\\', '@lb1', '#')), { maxLength: 6 })).map(([n, value]) => `$${n}=${value.join('')}`),
  fc.tuple(fc.constantFrom('~SEQ', '~SEQx', '~LST'), number, number, number, fc.array(reference, { maxLength: 3 })).map(([kind, a, b, c, refs]) => `${kind}(N, ${a}, ${b}, ${c}) router_id R$N ${refs.join(' ')}`),
  fc.array(reference, { minLength: 1, maxLength: 8 }).map((refs) => `router_id ${refs.join(' ')}`),
  fc.integer({ min: 1, max: 20_000 }).map((n) => '{'.repeat(n)),
  fc.integer({ min: 1, max: 10_000 }).map((n) => `${'vrrp_instance VI {\n'.repeat(n)}`),
  fc.integer({ min: 1000, max: 10_000 }).map((n) => `router_id ${'x'.repeat(n)}`),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  fc.string({ unit: 'binary', maxLength: 100 }),
  fc.constantFrom('global_defs {', 'vrrp_instance VI_1 {', 'virtual_server 192.0.2.1 80 {', 'real_server 192.0.2.2 80 {', '}', '"', '\0', '@^lb1 }', '$', '${', '~'),
);

test('generated hostile configurations and files: loading throws only ConfigLoadError, parsing reports only diagnostics with file:line', () => {
  const seed = process.env['VIGIL_FUZZ_SEED'] === undefined ? undefined : Number(process.env['VIGIL_FUZZ_SEED']);
  fc.assert(
    fc.property(fc.array(line, { minLength: 1, maxLength: 25 }), fc.constantFrom(undefined, 'lb1'), (lines, configId) => {
      const text = `${lines.join('\n')}\n`;
      try {
        loadConfigText(text, MAIN, { configId, limits: LIMITS });
      } catch (err) {
        assert.ok(err instanceof ConfigLoadError, `not a ConfigLoadError: ${err instanceof Error ? err.stack : String(err)}`);
        assert.doesNotMatch(err.message, /\n/, 'one line');
        assert.match(err.message, /^[^:]+:\d+: ./);
      }
      const result = parseConfigText(text, MAIN, { configId, limits: LIMITS });
      for (const d of [...result.errors, ...result.warnings]) {
        assert.ok(d.file.length > 0);
        assert.ok(Number.isInteger(d.line) && d.line >= 0, `line ${d.line}`);
        assert.ok(!d.message.startsWith('internal error'), d.message);
      }
    }),
    { numRuns: 300, ...(seed !== undefined ? { seed } : {}) },
  );
});
