/**
 * Hostile configuration text under the reader's default caps (config/reader-limits.ts): how long each input takes
 * to be refused, and the error it gets. Goal: every input ends within a few seconds, about what the largest real
 * configurations take (bench/config-parse.ts), whatever it holds; the tests only check that each ends with a clear
 * error. Files that could block (FIFOs, devices) are in test/config/hostile-files.test.ts: they are refused before
 * any read, so they cost a stat.
 */
import { performance } from 'node:perf_hooks';
import { formatDiagnostic } from '../config/diagnostics.js';
import { memoryFileSystem } from '../config/files.js';
import { parseConfigText } from '../config/parse.js';

const MAIN = '/bench/keepalived.conf';

function doubling(leaf: string, lines: number): string {
  const levels = Array.from({ length: 30 }, (_, i) => `$A${i + 1}=\${A${i}}\${A${i}}`).join('\n');
  return `$A0=${leaf}\n${levels}\nglobal_defs {\n${'  router_id ${A30}\n'.repeat(lines)}}\n`;
}

const INPUTS: readonly (readonly [string, () => string])[] = [
  ['one 50 MB line', () => 'a'.repeat(50_000_000)],
  ['300,000 references on one line', () => `$X=y\nk ${'$X '.repeat(300_000)}`],
  ['a definition containing itself, on 100,000 lines', () => `$A=x $B\n$B=y $A\n${'k $A\n'.repeat(100_000)}`],
  ['2^30 substitutions per line (doubling definitions), 10,000 lines', () => doubling('x', 10_000)],
  ['2^30 empty substitutions per line, 10,000 lines', () => doubling('', 10_000)],
  ['~SEQ of a billion lines', () => '~SEQ(N, 1, 1000000000) x\n'],
  ['~SEQ nested three deep (10^9 lines)', () => '~SEQ(A, 1, 1000) ~SEQ(B, 1, 1000) ~SEQ(C, 1, 1000) x\n'],
  ['~SEQ of a million 60 KB lines', () => `$B=${'x'.repeat(60_000)}\n~SEQ(N, 1, 1000000) $B\n`],
  ['200,000 nested blocks', () => 'virtual_server 192.0.2.1 80 {\n'.repeat(200_000)],
  ['include with 2^25 brace alternatives', () => `include /x${'{a,b}'.repeat(25)}\n`],
  ['include of a brace group nested 2,000 deep', () => `include /${'{'.repeat(2000)}a${'}'.repeat(2000)}\n`],
  ['binary data', () => '\u0000\u0001\u00ff'.repeat(1_000_000)],
];

export async function run(): Promise<void> {
  for (const [label, make] of INPUTS) {
    const text = make();
    const started = performance.now();
    const r = parseConfigText(text, MAIN, { fs: memoryFileSystem({ [MAIN]: text }) });
    const ms = performance.now() - started;
    const first = r.errors[0];
    process.stdout.write(`${label}: ${ms.toFixed(0)} ms, ${r.errors.length} errors; first: ${first ? formatDiagnostic(first).slice(0, 140) : '(none)'}\n`);
  }
}
