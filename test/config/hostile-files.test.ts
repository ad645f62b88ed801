/**
 * Hostile or broken files named by `-f` or by an include, reproduced with real files: include cycles through links,
 * a glob that includes itself, a link to itself, a FIFO, a socket, /dev/zero, a directory, an executable file, a
 * path that flips between a file and a FIFO while it is read, the caps on files and bytes, binary data. Whatever
 * could block runs in a child process with a timeout (a FIFO opened for reading blocks the whole process), so a
 * regression fails the test instead of hanging it.
 */
import { strict as assert } from 'node:assert';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { formatDiagnostic } from '../../config/diagnostics.js';
import { parseConfigFile, type ParseOptions } from '../../config/parse.js';
import { ROOT } from './helpers.js';

const CLI = join(ROOT, 'dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'config-input-files-'));
let socketServer: Server | undefined;

after(() => {
  socketServer?.close();
  rmSync(dir, { recursive: true, force: true });
});

function path(rel: string): string {
  return join(dir, rel);
}

function write(rel: string, text: string | Buffer, mode = 0o644): string {
  const p = path(rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
  chmodSync(p, mode);
  return p;
}

function link(rel: string, target: string): string {
  const p = path(rel);
  mkdirSync(dirname(p), { recursive: true });
  symlinkSync(target, p);
  return p;
}

function fifo(rel: string): string {
  const p = path(rel);
  mkdirSync(dirname(p), { recursive: true });
  execFileSync('mkfifo', [p]);
  return p;
}

/** Diagnostics with the temporary directory written as `.`. */
function read(rel: string, options: ParseOptions = {}): { errors: string[]; warnings: string[] } {
  const r = parseConfigFile(path(rel), options);
  const local = (line: string): string => line.split(`${dir}/`).join('./');
  return { errors: r.errors.map(formatDiagnostic).map(local), warnings: r.warnings.map(formatDiagnostic).map(local) };
}

interface Run {
  readonly code: number | string;
  readonly stdout: string;
  readonly stderr: string;
}

/** `vigil config test --no-host-checks ARGS` as a process, killed after 20 s (a FIFO would hang it). */
function configTest(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'config', 'test', '--no-host-checks', ...args], { encoding: 'utf8', timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : `killed (${String(err.signal ?? err.code)})`;
      resolve({ code, stdout, stderr: stderr.split(`${dir}/`).join('./') });
    });
  });
}

const GLOBAL_DEFS = 'global_defs {\n  vrrp_garp_master_delay 5\n}\n';

before(() => {
  socketServer = createServer();
});

test('an include cycle through a link to the file or to its directory is found on real paths, at the include that closes it', () => {
  write('cycle/main.conf', `${GLOBAL_DEFS}include link.conf\n`);
  link('cycle/link.conf', 'main.conf');
  assert.deepEqual(read('cycle/main.conf').errors, ['./cycle/main.conf:4: include cycle: ./cycle/main.conf -> ./cycle/link.conf (the same file as ./cycle/main.conf)']);
  // d1/a.conf -> d2/b.conf -> d1-link/a.conf: three different names, two files.
  write('cycle2/main.conf', 'include d1/a.conf\n');
  write('cycle2/d1/a.conf', `${GLOBAL_DEFS}include ../d2/b.conf\n`);
  write('cycle2/d2/b.conf', '\ninclude ../d1-link/a.conf\n');
  link('cycle2/d1-link', 'd1');
  assert.deepEqual(read('cycle2/main.conf').errors, [
    './cycle2/d2/b.conf:2: include cycle: ./cycle2/main.conf -> ./cycle2/d1/a.conf -> ./cycle2/d2/b.conf -> ./cycle2/d1-link/a.conf (the same file as ./cycle2/d1/a.conf)',
  ]);
});

test('a glob that matches the file it is in ends: each include of a file already open is an error, the rest is read', () => {
  write('glob/main.conf', 'include *.conf\n');
  write('glob/a.conf', `${GLOBAL_DEFS}include *.conf\n`);
  write('glob/b.conf', '# b\n');
  const r = read('glob/main.conf');
  assert.deepEqual(r.errors, [
    './glob/main.conf:1: include cycle: ./glob/main.conf -> ./glob/main.conf',
    './glob/a.conf:4: include cycle: ./glob/main.conf -> ./glob/a.conf -> ./glob/a.conf',
    './glob/a.conf:4: include cycle: ./glob/main.conf -> ./glob/a.conf -> ./glob/main.conf',
  ]);
  assert.deepEqual(parseConfigFile(path('glob/main.conf')).files.map((f) => f.slice(dir.length + 1)).sort(), ['glob/a.conf', 'glob/b.conf', 'glob/b.conf', 'glob/main.conf']);
});

test('a link to itself and a dangling link are errors saying why, at the include', () => {
  write('links/main.conf', 'include loop.conf\ninclude dangling.conf\n');
  link('links/loop.conf', 'loop.conf');
  link('links/dangling.conf', 'nowhere.conf');
  assert.deepEqual(read('links/main.conf').errors, [
    "./links/main.conf:1: include: cannot read './links/loop.conf': too many levels of symbolic links",
    "./links/main.conf:2: include: cannot read './links/dangling.conf': no such file or directory",
  ]);
});

test('a FIFO matched by an include is skipped without being opened (as keepalived, a warning; an error for includer); -f FIFO is an error', async () => {
  write('fifo/main.conf', `${GLOBAL_DEFS}include conf.d/*.conf\n`);
  write('fifo/conf.d/10-ok.conf', '# fine\n');
  fifo('fifo/conf.d/20-fifo.conf');
  const plain = await configTest(['-f', path('fifo/main.conf')]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(plain.stderr, "./fifo/main.conf:4: warning: include: './fifo/conf.d/20-fifo.conf' is a FIFO (not a regular file) - skipping\n");
  write('fifo/strict.conf', `${GLOBAL_DEFS}includer conf.d/*.conf\n`);
  const strict = await configTest(['-f', path('fifo/strict.conf')]);
  assert.equal(strict.code, 1);
  assert.equal(strict.stderr, "./fifo/strict.conf:4: include: './fifo/conf.d/20-fifo.conf' is a FIFO (not a regular file) - skipping\n");
  const main = await configTest(['-f', path('fifo/conf.d/20-fifo.conf')]);
  assert.equal(main.code, 1);
  assert.equal(main.stderr, "./fifo/conf.d/20-fifo.conf:0: './fifo/conf.d/20-fifo.conf' is a FIFO (not a regular file)\n");
});

test('a device, a socket and a directory are refused the same way; -f /dev/zero and -f DIRECTORY are errors', async () => {
  const socket = path('special/listening.sock');
  mkdirSync(dirname(socket), { recursive: true });
  await new Promise<void>((resolve) => socketServer!.listen(socket, resolve));
  write('special/main.conf', `${GLOBAL_DEFS}include /dev/zero\ninclude listening.sock\ninclude /dev/null\n`);
  const r = await configTest(['-f', path('special/main.conf')]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stderr.trimEnd().split('\n'), [
    "./special/main.conf:4: warning: include: '/dev/zero' is a character device (not a regular file) - skipping",
    "./special/main.conf:5: warning: include: './special/listening.sock' is a socket (not a regular file) - skipping",
    "./special/main.conf:6: warning: include: '/dev/null' is a character device (not a regular file) - skipping",
  ]);
  const zero = await configTest(['-f', '/dev/zero']);
  assert.equal(zero.code, 1);
  assert.equal(zero.stderr, "/dev/zero:0: '/dev/zero' is a character device (not a regular file)\n");
  const directory = await configTest(['-f', path('special')]);
  assert.equal(directory.code, 1);
  assert.equal(directory.stderr, "./special:0: './special' is a directory (not a regular file)\n");
});

test('a path that flips between a regular file and a FIFO while it is read never blocks the reader', async () => {
  write('flip/regular.conf', GLOBAL_DEFS);
  fifo('flip/fifo');
  link('flip/x.conf', 'regular.conf');
  // Re-points x.conf between the two as fast as it can (a new link renamed over the old one is atomic).
  const flipper = spawn(
    process.execPath,
    [
      '-e',
      `const fs = require('node:fs'); const d = ${JSON.stringify(path('flip'))};
       process.stdout.write('flipping\\n');
       for (let i = 0; ; i++) { fs.symlinkSync(i % 2 ? 'fifo' : 'regular.conf', d + '/tmp'); fs.renameSync(d + '/tmp', d + '/x.conf'); }`,
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      flipper.stdout.once('data', () => resolve());
      flipper.once('exit', () => reject(new Error('the flipper exited')));
    });
    const reader = await new Promise<Run>((resolve) => {
      const script = `import { nodeFileSystem } from ${JSON.stringify(join(ROOT, 'dist/config/node-files.js'))};
        const counts = {}; for (let i = 0; i < 20000; i++) { const r = nodeFileSystem.readFile(${JSON.stringify(path('flip/x.conf'))}, 1 << 20);
        const k = r.ok ? (r.text === ${JSON.stringify(GLOBAL_DEFS)} ? 'text' : 'other text') : r.problem; counts[k] = (counts[k] ?? 0) + 1; }
        console.log(JSON.stringify(counts));`;
      execFile(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : `killed (${String(err.signal ?? err.code)})`, stdout, stderr });
      });
    });
    assert.equal(reader.code, 0, `the reader blocked or failed: ${reader.stderr}`);
    const counts = JSON.parse(reader.stdout) as Record<string, number>;
    for (const outcome of Object.keys(counts)) assert.ok(['text', 'is a FIFO, not a regular file', 'no such file or directory'].includes(outcome), `unexpected outcome ${outcome}`);
  } finally {
    flipper.kill();
  }
});

test('an executable file is skipped as keepalived does (a warning for include, an error for includer and for -f)', () => {
  write('exec/main.conf', `${GLOBAL_DEFS}include script.conf\n`);
  write('exec/strict.conf', `${GLOBAL_DEFS}includer script.conf\n`);
  write('exec/script.conf', 'vrrp_instance VI_1 {\n}\n', 0o744);
  const message = "include: './exec/script.conf' is executable (keepalived reads only non-executable configuration files) - skipping";
  assert.deepEqual(read('exec/main.conf'), { errors: [], warnings: [`./exec/main.conf:4: ${message}`] });
  assert.deepEqual(read('exec/strict.conf').errors, [`./exec/strict.conf:4: ${message}`]);
  assert.deepEqual(read('exec/script.conf').errors, ["./exec/script.conf:0: './exec/script.conf' is executable (keepalived reads only non-executable configuration files)"]);
});

test('the cap on files read: an error at the include that passes it, then reading stops (no follow-on errors)', () => {
  const includes = Array.from({ length: 12 }, (_, i) => `include f${i + 1}.conf`).join('\n');
  write('files/main.conf', `global_defs {\n${includes}\n}\n`);
  for (let i = 1; i <= 12; i++) write(`files/f${i}.conf`, `# ${i}\n`);
  assert.deepEqual(read('files/main.conf', { limits: { maxFiles: 10 } }).errors, ["./files/main.conf:11: include: more than 10 configuration files at './files/f10.conf' - stopping"]);
  write('files/glob.conf', 'include f*.conf\n');
  assert.deepEqual(read('files/glob.conf', { limits: { maxFiles: 10 } }).errors, ["./files/glob.conf:1: include: 'f*.conf' matches more than 10 paths - stopping"]);
});

test('the cap on bytes read: a 100 MiB (sparse) include passes the default 64 MiB; two files that pass a lower cap together', () => {
  write('bytes/main.conf', `${GLOBAL_DEFS}include big.conf\n`);
  write('bytes/big.conf', '');
  truncateSync(path('bytes/big.conf'), 100 * 1024 * 1024);
  assert.deepEqual(read('bytes/main.conf').errors, ["./bytes/main.conf:4: include: reading './bytes/big.conf' would pass 64 MiB of configuration in all - stopping"]);
  assert.deepEqual(read('bytes/big.conf').errors, ["./bytes/big.conf:0: reading './bytes/big.conf' would pass 64 MiB of configuration in all - stopping"]);
  write('bytes/two.conf', 'include a.conf\ninclude b.conf\n');
  write('bytes/a.conf', `# ${'a'.repeat(600)}\n`);
  write('bytes/b.conf', `# ${'b'.repeat(600)}\n`);
  assert.deepEqual(read('bytes/two.conf', { limits: { maxBytes: 1000 } }).errors, ["./bytes/two.conf:2: include: reading './bytes/b.conf' would pass 1000 bytes of configuration in all - stopping"]);
});

test('binary data (a NUL byte) is an error at its line; the file is not read', () => {
  write('binary/main.conf', `${GLOBAL_DEFS}include data.conf\ninclude true.conf\n`);
  write('binary/data.conf', Buffer.concat([Buffer.from('global_defs {\n}\n'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0x0a])]));
  copyFileSync('/bin/true', path('binary/true.conf'));
  chmodSync(path('binary/true.conf'), 0o644);
  const r = read('binary/main.conf');
  assert.equal(r.errors.length, 2, r.errors.join('\n'));
  assert.equal(r.errors[0], "./binary/data.conf:3: binary data (a NUL byte): './binary/data.conf' is not a configuration file and is not read");
  assert.match(r.errors[1]!, /^\.\/binary\/true\.conf:\d+: binary data \(a NUL byte\): '\.\/binary\/true\.conf' is not a configuration file and is not read$/);
});

test('includes nested deeper than 32 files are an error naming the file', () => {
  for (let i = 1; i <= 40; i++) write(`deep/d${i}.conf`, `include d${i + 1}.conf\n`);
  write('deep/d41.conf', '# end\n');
  assert.deepEqual(read('deep/d1.conf').errors, ["./deep/d32.conf:1: include: nesting deeper than 32 files at './deep/d33.conf'"]);
});
