/**
 * The live page's history (observe/page/page-history.ts) past its bound: the older half is compacted to the last
 * record of each actor, instance and node, so a node whose process went down long ago is still drawn DOWN.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PageHistory } from '../../observe/page/page-history.js';

test('compaction keeps the latest process record of each node', () => {
  const history = new PageHistory(100);
  history.add({ kind: 'process', at: 0, node: 'r1', up: false, cause: 'crash' });
  history.add({ kind: 'process', at: 1, node: 'r2', up: false, cause: 'stop' });
  history.add({ kind: 'process', at: 2, node: 'r2', up: true, cause: 'start' });
  for (let i = 0; i < 300; i++) history.add({ kind: 'fault', at: 10 + i, text: `fault ${i}` });
  const kept = history.since(0).map((n) => n.event);
  assert.ok(kept.length <= 100, `${kept.length} records kept`);
  const processes = kept.filter((e) => e.kind === 'process');
  assert.deepEqual(processes, [
    { kind: 'process', at: 0, node: 'r1', up: false, cause: 'crash' },
    { kind: 'process', at: 2, node: 'r2', up: true, cause: 'start' },
  ]);
  // Faults are not kept past the cut: only the recent ones remain.
  assert.ok(kept.filter((e) => e.kind === 'fault').length < 300);
});
