import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { productionModules } from '../../packaging/production-modules.js';

function pkg(dir: string, manifest: Record<string, unknown>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest));
}

test('production modules: dependencies and optional ones, but not an optional one whose install script is declined', () => {
  const root = mkdtempSync(join(tmpdir(), 'vigil-prod-modules-'));
  try {
    pkg(root, { name: 'app', dependencies: { bus: '1' }, allowScripts: { sock: false, fast: true } });
    pkg(join(root, 'node_modules', 'bus'), { name: 'bus', version: '1.0.0', license: 'MIT', optionalDependencies: { sock: '1', fast: '1' } });
    pkg(join(root, 'node_modules', 'sock'), { name: 'sock', version: '1.0.0', dependencies: { builder: '7' } });
    pkg(join(root, 'node_modules', 'builder'), { name: 'builder', version: '7.0.0' });
    pkg(join(root, 'node_modules', 'fast'), { name: 'fast', version: '2.0.0', license: 'ISC' });
    assert.deepEqual(productionModules(root).map((m) => `${m.path}@${m.version}`), ['bus@1.0.0', 'fast@2.0.0']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
