/**
 * A scenario's tracked objects run through the trackers the daemon runs (actors/trackers/, assembled by
 * actors/node-assembly.ts): a `track` event changes the simulated host (a script's exit status, a file, the
 * process table) and the node notices it on its tracker's own schedule, on the virtual clock. Notify scripts are
 * run by the simulated process runner and recorded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScenario } from '../../sim/scenario.js';
import { runSimulation, type SimulationResult } from '../../sim/run.js';
import { SimulationInputError } from '../../sim/simulation-input-error.js';
import { formatTimeline } from '../../sim/report-text.js';
import { pairInstance, pairScenario } from './pair-scenario.js';
import { runWithSeries, type Series } from './context-series.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');

/** lb1 (150) and lb2 (100) share one configuration; `@lb1` lines are lb1's alone. */
function config(extra: string, tracking: string): string {
  return `${extra}
${pairInstance({ after: `${tracking}\n` })}`;
}

const scenarioText = (conf: string, events: unknown[], duration = '45s'): string => pairScenario(conf, events, duration);

const run = (text: string, pick: (actorId: string, context: Record<string, unknown>) => unknown): { result: SimulationResult; series: Series } =>
  runWithSeries(text, 'tracked.json', pick);

const priorityOf = (id: string, context: Record<string, unknown>): unknown => (id === 'VI_1' ? context['effectivePriority'] : undefined);

function masters(result: SimulationResult, node: string): number[] {
  return result.transitions.filter((t) => t.node === node && t.to === 'MASTER').map((t) => t.t_ms);
}

test('vrrp_script with weight: the script fails from 10.5 s, the tracker sees it at its runs (every 2 s), fall 3 / rise 2 move the priority', () => {
  const conf = config(
    `vrrp_script chk_web {
    script "/usr/local/bin/check-web --port 80"
    interval 2
    fall 3
    rise 2
    weight -60
}`,
    '    track_script {\n        chk_web\n    }',
  );
  const { result, series } = run(
    scenarioText(conf, [
      { at: '10.5s', track: { node: 'lb1', id: 'script:chk_web', up: false } },
      { at: '30.5s', track: { node: 'lb1', id: 'script:chk_web', up: true } },
    ]),
    (id, context) => (id === 'script:chk_web' ? context['up'] : priorityOf(id, context)),
  );
  // Runs at 0, 2, 4 … s: the failing ones at 12, 14, 16 s (fall 3), the good ones at 32, 34 s (rise 2).
  assert.deepEqual(series.get('lb1/script:chk_web'), [
    [0, true],
    [16_000, false],
    [34_000, true],
  ]);
  assert.deepEqual(series.get('lb1/VI_1'), [
    [0, 150],
    [16_000, 90],
    [34_000, 150],
  ]);
  // lb2's script never fails: its priority stays.
  assert.deepEqual(series.get('lb2/VI_1'), [[0, 100]]);
  // Nothing happens before the tracker has seen three failures; then lb2 (100) takes over from lb1 (90), and
  // lb1 takes back over once its script has succeeded twice.
  assert.equal(result.transitions.filter((t) => t.t_ms > 10_500 && t.t_ms < 16_000).length, 0);
  assert.deepEqual(masters(result, 'lb1')[0], 3414.062);
  const lb2Master = masters(result, 'lb2')[0]!;
  assert.ok(lb2Master > 16_000 && lb2Master <= 16_000 + 1000 + 3609.375 + 1, `lb2 master at ${lb2Master}`);
  const lb1Back = masters(result, 'lb1')[1]!;
  assert.ok(lb1Back > 34_000 && lb1Back <= 34_000 + 1000 + 3414.062 + 1, `lb1 master again at ${lb1Back}`);
  for (const inv of result.invariants) assert.ok(inv.ok, `${inv.name}: ${inv.detail}`);
  // The checks themselves are not reported as script runs.
  assert.deepEqual(result.scripts, []);
});

test('track_file: the file read every second; its value times the weight moves the priority', () => {
  const conf = config(
    `vrrp_track_file maint {
    file /run/vigil/maintenance
    weight -30
}`,
    '    track_file {\n        maint\n    }',
  );
  const { result, series } = run(
    scenarioText(conf, [
      { at: '10.3s', track: { node: 'lb1', id: 'file:maint', value: 2 } },
      { at: '20.5s', track: { node: 'lb1', id: 'file:maint', up: true } },
    ], '30s'),
    (id, context) => (id === 'file:maint' ? context['seen'] : priorityOf(id, context)),
  );
  assert.deepEqual(series.get('lb1/file:maint'), [
    [0, { up: true, value: 0 }],
    [11_000, { up: false, value: 2 }],
    [21_000, { up: true, value: 0 }],
  ]);
  assert.deepEqual(series.get('lb1/VI_1'), [
    [0, 150],
    [11_000, 90],
    [21_000, 150],
  ]);
  assert.ok(masters(result, 'lb2')[0]! > 11_000);
  assert.match(formatTimeline(result), /track lb1 file:maint value 2/);
});

test('track_process without weight: the instance is FAULT from the exit the kernel tells until the exec of a new copy', () => {
  const conf = config(
    `vrrp_track_process web {
    process nginx
    param_match initial
    quorum 2
    weight 0
}`,
    '    track_process {\n        web\n    }',
  );
  const { result } = run(
    scenarioText(conf, [
      { at: '5.5s', track: { node: 'lb1', id: 'process:web', up: false } },
      { at: '12.2s', track: { node: 'lb1', id: 'process:web', up: true } },
    ], '20s'),
    () => undefined,
  );
  const lb1 = result.transitions.filter((t) => t.node === 'lb1').map((t) => [t.t_ms, t.from, t.to]);
  // Event-driven (the simulated kernel tells of each exit, fork and exec): no polling second to wait for.
  assert.deepEqual(lb1.slice(0, 4), [
    [0, 'INIT', 'BACKUP'],
    [3414.062, 'BACKUP', 'MASTER'],
    [5500, 'MASTER', 'FAULT'],
    [12_200, 'FAULT', 'BACKUP'],
  ]);
});

test('track_process with no weight anywhere: the default weight is 0 (keepalived 2.2.7), a lost quorum is FAULT', () => {
  const conf = config(
    `vrrp_track_process web {
    process nginx
}`,
    '    track_process {\n        web\n    }',
  );
  const { result } = run(scenarioText(conf, [{ at: '5.5s', track: { node: 'lb1', id: 'process:web', up: false } }], '10s'), () => undefined);
  const lb1 = result.transitions.filter((t) => t.node === 'lb1').map((t) => [t.t_ms, t.from, t.to]);
  assert.deepEqual(lb1.slice(0, 3), [
    [0, 'INIT', 'BACKUP'],
    [3414.062, 'BACKUP', 'MASTER'],
    [5500, 'MASTER', 'FAULT'],
  ]);
});

test('track_process fork_delay and terminate_delay: a lost copy is FAULT terminate_delay later, a forked one back fork_delay later, a quick restart never', () => {
  const conf = config(
    `vrrp_track_process web {
    process nginx
    quorum 2
    fork_delay 2
    terminate_delay 3
    weight 0
}`,
    '    track_process {\n        web\n    }',
  );
  const { result } = run(
    scenarioText(conf, [
      // One of the two copies exits: FAULT after terminate_delay (3 s).
      { at: '5.5s', track: { node: 'lb1', id: 'process:web', value: 1 } },
      // The running copy forks a second: back after fork_delay (2 s).
      { at: '12.2s', track: { node: 'lb1', id: 'process:web', value: 2 } },
      // A copy exits and is forked again within terminate_delay: nothing happens.
      { at: '20s', track: { node: 'lb1', id: 'process:web', value: 1 } },
      { at: '21s', track: { node: 'lb1', id: 'process:web', value: 2 } },
    ], '30s'),
    () => undefined,
  );
  const lb1 = result.transitions.filter((t) => t.node === 'lb1').map((t) => [t.t_ms, t.from, t.to]);
  assert.deepEqual(lb1.slice(0, 4), [
    [0, 'INIT', 'BACKUP'],
    [3414.062, 'BACKUP', 'MASTER'],
    [8500, 'MASTER', 'FAULT'],
    [14_200, 'FAULT', 'BACKUP'],
  ]);
  assert.equal(lb1.filter((t) => (t[0] as number) >= 20_000 && t[2] === 'FAULT').length, 0, 'the restart within terminate_delay is not a FAULT');
});

test('track_process with a weight: the priority follows the count crossing quorum_max as keepalived (over the range is down)', () => {
  const conf = config(
    `vrrp_track_process web {
    process /usr/sbin/nginx -g x
    quorum 1
    quorum_max 2
    weight -60
}`,
    '    track_process {\n        web\n    }',
  );
  const { series } = run(
    scenarioText(conf, [
      { at: '5s', track: { node: 'lb1', id: 'process:web', value: 3 } },
      { at: '9s', track: { node: 'lb1', id: 'process:web', value: 2 } },
    ], '12s'),
    priorityOf,
  );
  assert.deepEqual((series.get('lb1/VI_1') ?? []).filter(([t]) => t >= 5000), [
    [5000, 90],
    [9000, 150],
  ]);
});

test('notify scripts run on the simulated process runner and are recorded with their arguments, silent after a crash', () => {
  const conf = config('', '    notify_master "/etc/vigil/master.sh now"\n    notify /etc/vigil/notify.sh\n    notify_stop /etc/vigil/stop.sh');
  const { result } = run(
    scenarioText(conf, [
      { at: '10s', crash: 'lb1' },
      { at: '20s', restart: 'lb1' },
      { at: '30s', stop: 'lb2' },
    ], '40s'),
    () => undefined,
  );
  const runs = result.scripts.map((r) => [r.t_ms, r.node, r.argv.join(' '), r.outcome]);
  const lb2Master = masters(result, 'lb2')[0]!;
  assert.deepEqual(runs.slice(0, 5), [
    [0, 'lb1', '/etc/vigil/notify.sh INSTANCE VI_1 BACKUP 150', 'exit 0'],
    [0, 'lb2', '/etc/vigil/notify.sh INSTANCE VI_1 BACKUP 100', 'exit 0'],
    [3414.062, 'lb1', '/etc/vigil/master.sh now', 'exit 0'],
    [3414.062, 'lb1', '/etc/vigil/notify.sh INSTANCE VI_1 MASTER 150', 'exit 0'],
    [lb2Master, 'lb2', '/etc/vigil/master.sh now', 'exit 0'],
  ]);
  // The crash at 10 s runs nothing on lb1; the graceful stop of lb2 at 30 s runs its notify_stop.
  assert.equal(runs.filter((r) => r[1] === 'lb1' && (r[0] as number) >= 10_000 && (r[0] as number) < 20_000).length, 0);
  assert.ok(runs.some((r) => r[0] === 30_000 && r[1] === 'lb2' && r[2] === '/etc/vigil/stop.sh'));
  assert.ok(runs.some((r) => r[0] === 30_000 && r[1] === 'lb2' && r[2] === '/etc/vigil/notify.sh INSTANCE VI_1 STOP 100'));
  assert.match(formatTimeline(result), /lb1 ran \/etc\/vigil\/master\.sh now: exit 0/);
});

test('a track event naming what the node does not define is an input error, one line naming the scenario', () => {
  const conf = config('', '');
  assert.throws(
    () => runSimulation(parseScenario(scenarioText(conf, [{ at: '1s', track: { node: 'lb1', id: 'script:nosuch', up: false } }]), 'bad.json'), { seed: 1 }),
    (err: unknown) => err instanceof SimulationInputError && /^bad\.json: track lb1 script:nosuch: no vrrp_script nosuch/.test(err.message) && !err.message.includes('\n'),
  );
  assert.throws(() => parseScenario(scenarioText(conf, [{ at: '1s', track: { node: 'lb1', id: 'file:f', value: 1.5 } }]), 'bad.json'), /"track.value" must be an integer/);
});

test('vigil sim --json with tracked objects and notify scripts: same seed, same bytes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-assembly-'));
  try {
    const conf = config(
      `vrrp_script chk {
    script /usr/local/bin/chk
    interval 1
    fall 2
    rise 2
    weight -60
}`,
      '    track_script {\n        chk\n    }\n    notify /etc/vigil/notify.sh',
    );
    const file = join(dir, 'tracked.json');
    writeFileSync(file, scenarioText(conf, [{ at: '8s', track: { node: 'lb1', id: 'script:chk', up: false } }], '20s'));
    const once = spawnSync(join(ROOT, 'bin/vigil'), ['sim', file, '--json', '--seed', '5'], { encoding: 'utf8' });
    const twice = spawnSync(join(ROOT, 'bin/vigil'), ['sim', file, '--json', '--seed', '5'], { encoding: 'utf8' });
    assert.equal(once.status, 0, once.stderr);
    assert.equal(twice.stdout, once.stdout);
    const out = JSON.parse(once.stdout) as { transitions: { node: string; to: string; t_ms: number }[] };
    // The script fails at its runs at 8 and 9 s (fall 2): lb2 takes over after that, not before.
    const lb2 = out.transitions.find((t) => t.node === 'lb2' && t.to === 'MASTER');
    assert.ok(lb2 && lb2.t_ms > 9000, JSON.stringify(out.transitions));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
