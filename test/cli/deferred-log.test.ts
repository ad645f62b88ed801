/**
 * The daemon's log before pino has loaded (cli/deferred-log.ts): nothing is written until load(), then the lines
 * that waited come out in order, as pino JSON lines carrying the time they were logged at; a fatal exit's
 * flush() writes them too. Run in a child process: pino writes to file descriptor 2 directly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const MODULE = pathToFileURL(resolve(fileURLToPath(import.meta.url), '../../../cli/deferred-log.js')).href;

function runChild(body: string): { lines: string[]; status: number | null } {
  const script = `import { DeferredPinoLog } from ${JSON.stringify(MODULE)};\n${body}`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  return { lines: r.stderr.trim().split('\n'), status: r.status };
}

interface PinoLine {
  level: number;
  time: number;
  pid: number;
  msg: string;
}

test('lines logged before load wait, keep their time and order, and below the level are dropped', () => {
  const { lines, status } = runChild(`
    const log = new DeferredPinoLog('info', 4242);
    log.debug('not shown');
    log.warn('first');
    log.info('second');
    process.stderr.write('MARK ' + Date.now() + '\\n');
    log.load();
    log.error('third');
  `);
  assert.equal(status, 0, lines.join('\n'));
  assert.match(lines[0]!, /^MARK \d+$/, 'nothing before load()');
  const mark = Number(lines[0]!.split(' ')[1]);
  const parsed = lines.slice(1).map((l) => JSON.parse(l) as PinoLine);
  assert.deepEqual(parsed.map((p) => [p.level, p.msg, p.pid]), [[40, 'first', 4242], [30, 'second', 4242], [50, 'third', 4242]]);
  assert.ok(parsed[0]!.time <= mark && parsed[1]!.time <= mark, 'waiting lines keep the time they were logged at');
  assert.ok(parsed[0]!.time <= parsed[1]!.time && parsed[1]!.time <= parsed[2]!.time);
});

test('flush() before an exit writes what waited; debug level keeps debug lines', () => {
  const { lines, status } = runChild(`
    const log = new DeferredPinoLog('debug', 1);
    log.debug('detail');
    log.info('then');
    log.flush();
    process.exit(3);
  `);
  assert.equal(status, 3);
  assert.deepEqual(lines.map((l) => (JSON.parse(l) as PinoLine).msg), ['detail', 'then']);
});

test('a standard error nobody reads does not hold the logger: lines wait in order, the excess is dropped and said', async () => {
  // 5,000 lines of 1 kB into a pipe this process does not read (it holds 64 kB): pino's synchronous destination
  // slept on the full pipe until a reader came, which here never comes before 'logged'.
  const script = `import { DeferredPinoLog } from ${JSON.stringify(MODULE)};
    const log = new DeferredPinoLog('info', 7);
    log.load();
    const filler = 'x'.repeat(1000);
    for (let i = 0; i < 5000; i++) log.info(i + ' ' + filler);
    process.stdout.write('logged\\n');
    process.stdin.once('data', () => { log.flush(); process.exit(0); });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stderr.pause();
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  try {
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c: string) => (out += c));
    while (!out.includes('logged')) {
      if (child.exitCode !== null || child.signalCode !== null) assert.fail(`the child ended without logging everything (${child.signalCode ?? child.exitCode})`);
      await Promise.race([once(child.stdout, 'data'), once(child, 'exit')]);
    }
    // Now read: what waited comes out, then the exit's flush says how many were dropped.
    let err = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (c: string) => (err += c));
    child.stderr.resume();
    const exited = once(child, 'exit');
    child.stdin.write('go\n');
    const [code] = (await exited) as [number | null];
    await new Promise((r) => setImmediate(r));
    assert.equal(code, 0);
    const lines = err.trim().split('\n').map((l) => JSON.parse(l) as PinoLine);
    const numbered = lines.filter((l) => /^\d+ x/.test(l.msg)).map((l) => Number(l.msg.split(' ')[0]));
    assert.equal(numbered[0], 0, 'the first line is kept');
    assert.ok(numbered.every((n, i) => i === 0 || n > numbered[i - 1]!), 'in order');
    assert.ok(numbered.length < 5000, 'lines past the bound were dropped');
    const note = lines.at(-1)!;
    assert.equal(note.level, 40);
    assert.equal(note.msg, `${5000 - numbered.length} log line(s) dropped: standard error was not being read`);
  } finally {
    clearTimeout(killer);
    child.kill('SIGKILL');
  }
});
