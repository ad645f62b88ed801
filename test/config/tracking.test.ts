/**
 * Tracked objects' weights and directions as keepalived 2.2.7 resolves them (vrrp_track.c alloc_track_*,
 * track_file.c vrrp_alloc_track_file): a track line without `weight` takes the object's weight, and one without
 * `reverse` / `noreverse` the object's direction, given a weight or not.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { renderConfig } from '../../config/render.js';
import { instance, parse, positionless } from './helpers.js';

const SCRIPT = 'vrrp_script chk {\n  script /bin/true\n  weight -20 reverse\n}\n';

function scriptTracks(lines: string): unknown {
  const r = parse(SCRIPT + instance(`  track_script {\n${lines}\n  }`));
  return positionless(r.config.vrrpInstances[0]!.trackScripts);
}

test("a track line takes the object's direction unless it says reverse or noreverse", () => {
  assert.deepEqual(scriptTracks('    chk'), [{ name: 'chk', weight: -20, reverse: true }]);
  assert.deepEqual(scriptTracks('    chk weight 10'), [{ name: 'chk', weight: 10, reverse: true }]);
  assert.deepEqual(scriptTracks('    chk weight 10 noreverse'), [{ name: 'chk', weight: 10, reverse: false }]);
  const plain = parse('vrrp_script chk {\n  script /bin/true\n  weight 5\n}\n' + instance('  track_script {\n    chk weight 10 reverse\n  }'));
  assert.deepEqual(positionless(plain.config.vrrpInstances[0]!.trackScripts), [{ name: 'chk', weight: 10, reverse: true }]);
});

test('config dump writes noreverse where the line differs from a reverse object, and reads back the same', () => {
  const r = parse(SCRIPT + instance('  track_script {\n    chk weight 10 noreverse\n  }'));
  const text = renderConfig(r.config);
  assert.match(text, /chk weight 10 noreverse/);
  assert.deepEqual(positionless(parse(text).config.vrrpInstances[0]!.trackScripts), [{ name: 'chk', weight: 10, reverse: false }]);
});
