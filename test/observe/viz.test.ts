/**
 * `vigil viz`: every machine of this build as SVG (well-formed XML, every state present by its keepalived name
 * and its path) and as Mermaid text (every state declared, every transition drawn); the actor tree of a
 * configuration; the command line's answers to bad input. (Mermaid's own parser runs in page.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { loadConfigFile } from '../../config/load.js';
import { actorTree, actorTreeMermaid } from '../../observe/actor-tree.js';
import { allStates, machineGraph } from '../../observe/machine-graph.js';
import { availableMachines, findEntry, loadMachine } from '../../observe/machine-registry.js';
import { renderActorTree, renderGraph } from '../../observe/render-machine.js';
import { mermaidId } from '../../observe/statechart-mermaid.js';
import { checkXml } from './xml-check.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const vigil = `${root}bin/vigil`;

test('every machine of this build draws as well-formed SVG with every state', async () => {
  const entries = await availableMachines();
  assert.ok(entries.length >= 3, entries.map((e) => e.name).join(' '));
  for (const entry of entries) {
    const graph = machineGraph((await loadMachine(entry))!);
    const svg = await renderGraph(graph, 'svg');
    const { root: rootName, elements } = checkXml(svg);
    assert.equal(rootName, 'svg', entry.name);
    assert.ok(elements.includes('path') && elements.includes('rect'), entry.name);
    for (const state of allStates(graph)) {
      assert.ok(svg.includes(`data-state="${state.path}"`), `${entry.name}: box of ${state.path}`);
      assert.ok(svg.includes(`>${state.key}</text>`), `${entry.name}: name of ${state.path}`);
    }
    // One edge per transition with a target, labelled.
    assert.equal((svg.match(/<g class="edge (event|after|always)"/g) ?? []).length, graph.transitions.length, entry.name);
  }
});

test('the VRRP instance is drawn with keepalived state names, nested BACKUP regions and named timers', async () => {
  const graph = machineGraph((await loadMachine(findEntry('vrrp')!))!);
  const top = graph.root.children.map((c) => c.key);
  assert.deepEqual(top, ['INIT', 'BACKUP', 'MASTER', 'FAULT', 'STOP']);
  const backup = graph.root.children.find((c) => c.key === 'BACKUP')!;
  assert.equal(backup.type, 'parallel');
  assert.deepEqual(backup.children.map((c) => c.key), ['timer', 'preempt']);
  const labels = graph.transitions.map((t) => `${t.source} -> ${t.target}: ${t.label}`);
  assert.ok(labels.includes('BACKUP.timer.waiting -> MASTER: MASTER_DOWN'), labels.join('\n'));
  assert.ok(labels.includes('BACKUP.timer.skewWait -> MASTER: MASTER_DOWN'), labels.join('\n'));
  assert.ok(labels.includes('MASTER -> BACKUP: ADVERTISEMENT [senderWins]'));
  assert.ok(labels.includes('FAULT -> BACKUP: [healthy]'));
  const svg = await renderGraph(graph, 'svg');
  // Nested states are drawn inside their parent.
  const box = (path: string) => {
    const m = new RegExp(`data-state="${path.replace(/\./g, '\\.')}"><rect x="([\\d.]+)" y="([\\d.]+)" width="([\\d.]+)" height="([\\d.]+)"`).exec(svg);
    assert.ok(m, path);
    return m.slice(1).map(Number) as [number, number, number, number];
  };
  const [bx, by, bw, bh] = box('BACKUP');
  const [wx, wy, ww, wh] = box('BACKUP.timer.waiting');
  assert.ok(wx > bx && wy > by && wx + ww < bx + bw && wy + wh < by + bh, 'waiting lies inside BACKUP');
});

test("the VRRP instance's timers are drawn in the states that invoke them, the GARP schedule in MASTER", async () => {
  const graph = machineGraph((await loadMachine(findEntry('vrrp')!))!);
  const invokes = new Map(allStates(graph).map((s) => [s.path, s.invokes ?? []]));
  assert.deepEqual(invokes.get('MASTER'), ['garpTimer']);
  assert.deepEqual(invokes.get('MASTER.advertising'), ['adverTimer']);
  assert.deepEqual(invokes.get('BACKUP.timer.waiting'), ['masterDownTimer']);
  assert.deepEqual(invokes.get('BACKUP.timer.skewWait'), ['masterDownTimer']);
  assert.deepEqual(invokes.get('FAULT'), []);
  const svg = await renderGraph(graph, 'svg');
  // The name in the box's title, the invoked actor under it, the box's children below both.
  const master = /data-state="MASTER"><rect x="[\d.]+" y="([\d.]+)"[^>]*\/><text[^>]*>MASTER<\/text><text class="detail"[^>]*y="([\d.]+)"[^>]*>invoke garpTimer<\/text>/.exec(svg);
  assert.ok(master, 'MASTER names garpTimer');
  const child = /data-state="MASTER\.advertising"><rect x="[\d.]+" y="([\d.]+)"/.exec(svg);
  assert.ok(child && Number(child[1]) > Number(master[2]), 'advertising lies below the title band');
  assert.match(svg, /data-state="MASTER\.advertising">.*?>advertising<\/text><text class="detail"[^>]*>invoke adverTimer<\/text>/);
});

test('Mermaid text declares every state, nests composite states and lists every transition', async () => {
  for (const entry of await availableMachines()) {
    const graph = machineGraph((await loadMachine(entry))!);
    const text = await renderGraph(graph, 'mermaid');
    const lines = text.split('\n');
    assert.equal(lines[0], 'stateDiagram-v2');
    for (const state of allStates(graph)) {
      const id = mermaidId(state.path);
      assert.ok(lines.some((l) => l.trim() === id || l.includes(`as ${id}`) || l.trim() === `state ${id} {`), `${entry.name}: ${state.path}`);
    }
    const arrows = lines.filter((l) => /^\s*[A-Za-z_][\w]* --> [A-Za-z_]/.test(l));
    assert.equal(arrows.length, graph.transitions.length, entry.name);
    let depth = 0;
    for (const l of lines) {
      depth += (l.match(/\{/g) ?? []).length - (l.match(/\}/g) ?? []).length;
      assert.ok(depth >= 0);
    }
    assert.equal(depth, 0, `${entry.name}: braces balance`);
  }
});

test('vigil viz --config draws the actor tree: sync groups around their instances, trackers feeding them', async () => {
  const file = `${root}test/config/fixtures/vrrp-full.conf`;
  const tree = actorTree(loadConfigFile(file).config, 'vrrp-full.conf');
  const svg = await renderActorTree(tree, 'svg');
  checkXml(svg);
  for (const name of ['VI_1', 'VI_2', 'vrrp_sync_group SG_1', 'chk_haproxy']) assert.ok(svg.includes(name), name);
  assert.ok(tree.edges.length > 0 && tree.edges.every((e) => e.target.startsWith('instance:')));
  const mermaid = actorTreeMermaid(tree);
  assert.match(mermaid, /^flowchart TB/);
  assert.match(mermaid, /subgraph n\d+\["vrrp_sync_group SG_1 · track_interface eth3"\]/);
  // The group's track_script reaches both members.
  assert.match(mermaid, /-->\|"FAULT when down \(sync group SG_1\)"\| n\d+\n.*-->\|"FAULT when down \(sync group SG_1\)"\|/);
  const lvs = actorTree(loadConfigFile(`${root}test/config/fixtures/lvs-full.conf`).config, 'lvs-full.conf');
  const lvsSvg = await renderActorTree(lvs, 'svg');
  checkXml(lvsSvg);
  assert.match(lvsSvg, /virtual_server /);
  assert.match(lvsSvg, /real_server /);
});

test('vigil viz on the command line: default machine, formats, -o, and exit 2 on bad input', async () => {
  const svg = await run(vigil, ['viz']);
  assert.match(svg.stdout, /^<\?xml/);
  assert.ok(svg.stdout.includes('data-state="BACKUP.timer.waiting"'));
  const mermaid = await run(vigil, ['viz', 'sync-group', '--format', 'mermaid']);
  assert.match(mermaid.stdout, /^stateDiagram-v2\n/);
  // The thumbnail the page's cards show: the five keepalived states, loops as marks.
  const thumb = await run(vigil, ['viz', '--thumbnail']);
  checkXml(thumb.stdout);
  assert.match(thumb.stdout, /class="vigil-diagram vigil-thumb"/);
  assert.deepEqual([...thumb.stdout.matchAll(/<g class="box [^"]*" data-state="([^"]*)"/g)].map((m) => m[1]), ['INIT', 'BACKUP', 'MASTER', 'FAULT', 'STOP']);
  await assert.rejects(run(vigil, ['viz', '--thumbnail', '--format', 'mermaid']), (err: { code?: number; stderr?: string }) => err.code === 2 && /--thumbnail/.test(err.stderr ?? ''));
  const list = await run(vigil, ['viz', '--list']);
  assert.match(list.stdout, /^vrrp-instance /m);
  await assert.rejects(run(vigil, ['viz', 'no-such-machine']), (err: { code?: number; stderr?: string }) => {
    assert.equal(err.code, 2);
    assert.match(err.stderr ?? '', /no machine "no-such-machine"/);
    return true;
  });
  await assert.rejects(run(vigil, ['viz', '--format', 'png']), (err: { code?: number }) => err.code === 2);
  await assert.rejects(run(vigil, ['viz', '--config', '/nonexistent.conf']), (err: { code?: number }) => err.code === 2);
});
