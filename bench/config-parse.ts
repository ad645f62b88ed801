/**
 * Parser speed (issue: keepalived.conf drop-in): a generated configuration of 10,000 virtual servers × 4 real
 * servers with a TCP_CHECK each (300,000 lines), and one of 1,000 vrrp_instances + 200 virtual servers × 10 real
 * servers. Prints lines/s of the parser in-process, and the wall time of `vigil config test` as a process next
 * to `keepalived -t -f` on the same file, in the same run, when keepalived is installed. Goal: not slower than
 * keepalived, start-up included.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseConfigFile } from '../config/parse.js';
import { generateConfig, type GeneratedConfigOptions } from './config-generate.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '../cli/main.js');

function keepalivedInstalled(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v keepalived'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

interface Wall {
  readonly ms: number;
  readonly code: number | null;
}

/** Best (lowest) wall time in ms of `runs` runs of each command, run alternately so both see the same load. */
function walls(commands: readonly (readonly [string, readonly string[]])[], runs: number): Wall[] {
  const best = commands.map(() => ({ ms: Infinity, code: null as number | null }));
  for (let i = 0; i < runs; i++) {
    commands.forEach(([cmd, args], k) => {
      const started = performance.now();
      const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      const ms = performance.now() - started;
      best[k] = { ms: Math.min(best[k]!.ms, ms), code: r.status };
    });
  }
  return best;
}

function measure(label: string, options: GeneratedConfigOptions, dir: string, haveKeepalived: boolean): void {
  const text = generateConfig(options);
  const lines = text.split('\n').length - 1;
  const file = join(dir, `${label}.conf`);
  writeFileSync(file, text);
  // In-process: the first parse (cold, as the CLI sees it) and the best of a few warm ones.
  let started = performance.now();
  const first = parseConfigFile(file);
  const coldMs = performance.now() - started;
  let warmMs = Infinity;
  for (let i = 0; i < 3; i++) {
    started = performance.now();
    parseConfigFile(file);
    warmMs = Math.min(warmMs, performance.now() - started);
  }
  const rate = (ms: number): string => Math.round(lines / (ms / 1000)).toLocaleString('en-US');
  process.stdout.write(
    `${label}: ${lines.toLocaleString('en-US')} lines, ${first.config.vrrpInstances.length} vrrp_instances, ${first.config.virtualServers.length} virtual_servers, ` +
      `${first.errors.length} errors; parse cold ${coldMs.toFixed(0)} ms (${rate(coldMs)} lines/s), warm ${warmMs.toFixed(0)} ms (${rate(warmMs)} lines/s)\n`,
  );
  const commands: [string, string[]][] = [[process.execPath, [CLI, 'config', 'test', '-q', '-f', file]]];
  if (haveKeepalived) commands.push(['keepalived', ['-t', '-f', file]]);
  const [vigil, keepalived] = walls(commands, 7);
  let line = `  vigil config test (process, start-up included): ${vigil!.ms.toFixed(0)} ms, exit ${vigil!.code}`;
  if (keepalived) {
    const verdict = vigil!.ms <= keepalived.ms ? 'not slower: goal met' : `${(vigil!.ms / keepalived.ms).toFixed(2)}x slower: goal MISSED`;
    line += `; keepalived -t: ${keepalived.ms.toFixed(0)} ms, exit ${keepalived.code} (${verdict}; best of 7, run alternately)`;
  } else line += '; keepalived is not installed: no comparison';
  process.stdout.write(`${line}\n`);
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-config-'));
  try {
    const haveKeepalived = keepalivedInstalled();
    // keepalived -t checks that interfaces exist: the vrrp_instances use the loopback-free interface of this host,
    // or eth0 (keepalived then reports a missing interface but still reads the whole file).
    measure('lvs-10000x4', { virtualServers: 10_000, realServers: 4 }, dir, haveKeepalived);
    measure('mixed-1000vrrp-200x10', { virtualServers: 200, realServers: 10, vrrpInstances: 1000 }, dir, haveKeepalived);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
