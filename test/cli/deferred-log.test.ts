/**
 * The daemon's log before pino has loaded (cli/deferred-log.ts): nothing is written until load(), then the lines
 * that waited come out in order, as pino JSON lines carrying the time they were logged at; a fatal exit's
 * flush() writes them too. Run in a child process: pino writes to file descriptor 2 directly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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
