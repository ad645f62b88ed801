/**
 * `npm run bench`: runs every benchmark in bench/ (each module exports `run(): Promise<void>` and prints its own
 * figures), or only those whose file name contains one of the arguments.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// Options (`--duration 600`) are the benchmarks' own: neither they nor their values are file filters.
const args = process.argv.slice(2);
const filters = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1]!.startsWith('--')));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.js') && f !== 'run.js' && !f.startsWith('_'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

for (const file of files) {
  const module = (await import(pathToFileURL(join(here, file)).href)) as { run?: () => Promise<void> };
  if (typeof module.run !== 'function') continue;
  process.stdout.write(`\n## ${file.replace(/\.js$/, '')}\n`);
  await module.run();
}
