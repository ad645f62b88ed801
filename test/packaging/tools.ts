/** Shared bits of the packaging tests: finding tools, rendering man pages. */
import { spawnSync } from 'node:child_process';

/** Whether `name` is a program on PATH. */
export function onPath(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** A page as text, one line per paragraph (a very wide line), with no bold or underline overstriking. */
export function renderWide(roff: string): string {
  const out = spawnSync('groff', ['-man', '-Tutf8', '-rLL=2000n', '-P-cbou'], { input: roff, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  if (out.status !== 0) throw new Error(`groff failed: ${out.stderr}`);
  return out.stdout;
}
