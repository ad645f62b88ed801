/**
 * The npm tarball: `npm pack` of the staged application (packaging/stage-app.ts), whose manifest bundles every
 * production dependency, so `npm install -g ./vigil-VERSION.tgz` needs neither the registry nor a compiler.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Packs `appDir` into `outDir`; returns the tarball's path. */
export function packNpmTarball(appDir: string, outDir: string): string {
  // --ignore-scripts: the staged manifest has none, and no user's npm configuration may add a step.
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', outDir], {
    cwd: appDir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' },
  });
  const [result] = JSON.parse(out) as { filename: string }[];
  if (result === undefined) throw new Error('npm pack reported no tarball');
  return join(outDir, result.filename);
}
