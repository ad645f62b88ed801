/**
 * Tracked objects' weights and directions as keepalived 2.2.7 resolves them (vrrp_track.c alloc_track_*,
 * track_file.c vrrp_alloc_track_file): a track line without `weight` takes the object's weight, and one without
 * `reverse` / `noreverse` the object's direction, given a weight or not.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { renderConfig } from '../../config/render.js';
import { instance, MAIN, parse, parserWarningsOf, positionless } from './helpers.js';

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

/** Scripts, files and a process to track, then `body` (sync groups and instances). */
const OBJECTS = `vrrp_script chk_w {
  script /bin/true
  weight -20
}
vrrp_script chk_0 {
  script /bin/true
}
track_file f_default {
  file /run/f1
}
track_file f_w {
  file /run/f2
  weight -5
}
track_process p_w {
  process nginx
  weight 10
}
`;
const MEMBER_TRACKS = `  track_interface {
    eth1 weight -20
  }
  track_script {
    chk_w
    chk_0
  }
  track_file {
    f_default
    f_w
  }
  track_process {
    p_w
  }`;

/** The warnings about tracking (not the one about scripts running as root without enable_script_security). */
function trackWarnings(r: ReturnType<typeof parse>): string[] {
  return parserWarningsOf(r)
    .filter((w) => w.includes('track_'))
    .map((w) => w.replace(`${MAIN}:`, ''));
}

function tracksOf(v: { trackInterfaces: unknown; trackScripts: unknown; trackFiles: unknown; trackProcesses: unknown }): unknown {
  return positionless({ interfaces: v.trackInterfaces, scripts: v.trackScripts, files: v.trackFiles, processes: v.trackProcesses });
}

test("a sync group member's own weights, as keepalived 2.2.7 takes them: interfaces and default-weight files at 0, weighted scripts and files not tracked, processes kept", () => {
  const text = OBJECTS + instance(MEMBER_TRACKS) + instance('', 'VI_2', 52) + 'vrrp_sync_group G {\n  group {\n    VI_1\n    VI_2\n  }\n}\n';
  const r = parse(text);
  assert.deepEqual(tracksOf(r.config.vrrpInstances[0]!), {
    interfaces: [{ name: 'eth1', weight: 0, reverse: false }],
    scripts: [{ name: 'chk_0', weight: 0, reverse: false }],
    files: [{ name: 'f_default', weight: 0, reverse: false }],
    processes: [{ name: 'p_w', weight: 10, reverse: false }],
  });
  // One warning at each track line; keepalived -t reports the same four (vrrp.c vrrp_complete_instance).
  assert.deepEqual(trackWarnings(r), [
    '26: vrrp_instance VI_1: ignoring the weight -20 of track_interface \'eth1\' in vrrp_sync_group G (see sync_group_tracking_weight) - weight 0',
    "29: vrrp_instance VI_1: ignoring track_script 'chk_w' with weight -20 in vrrp_sync_group G (see sync_group_tracking_weight) - not tracked",
    "33: vrrp_instance VI_1: ignoring the weight 1 of track_file 'f_default' in vrrp_sync_group G (see sync_group_tracking_weight) - weight 0 (specify weight 0)",
    "34: vrrp_instance VI_1: ignoring track_file 'f_w' with weight -5 in vrrp_sync_group G (see sync_group_tracking_weight) - not tracked",
  ]);
  // sync_group_tracking_weight (and the deprecated global_tracking, which sets it) keep every weight.
  for (const keyword of ['sync_group_tracking_weight', 'global_tracking']) {
    const kept = parse(text.replace('  group {', `  ${keyword}\n  group {`));
    assert.deepEqual(tracksOf(kept.config.vrrpInstances[0]!), {
      interfaces: [{ name: 'eth1', weight: -20, reverse: false }],
      scripts: [
        { name: 'chk_w', weight: -20, reverse: false },
        { name: 'chk_0', weight: 0, reverse: false },
      ],
      files: [
        { name: 'f_default', weight: 1, reverse: false },
        { name: 'f_w', weight: -5, reverse: false },
      ],
      processes: [{ name: 'p_w', weight: 10, reverse: false }],
    }, keyword);
  }
});

test('the address owner outside a sync group does not track weighted interfaces, scripts or files; a default-weight file counts at 0', () => {
  const r = parse(OBJECTS + instance(`  priority 255\n${MEMBER_TRACKS}`));
  assert.deepEqual(tracksOf(r.config.vrrpInstances[0]!), {
    interfaces: [],
    scripts: [{ name: 'chk_0', weight: 0, reverse: false }],
    files: [{ name: 'f_default', weight: 0, reverse: false }],
    processes: [{ name: 'p_w', weight: 10, reverse: false }],
  });
  assert.equal(parserWarningsOf(r).filter((w) => w.includes('as the address owner (priority 255)')).length, 4);
});

test("a sync group's own tracking: weights cleared when a member is the address owner; an interface also tracked by a member is warned about", () => {
  const group = (members: string): string =>
    `vrrp_sync_group G {\n  group {\n${members}\n  }\n  track_interface {\n    eth1 weight -10\n    eth0\n  }\n  track_script {\n    chk_w\n  }\n  track_file {\n    f_w weight 3\n  }\n}\n`;
  const plain = parse(OBJECTS + group('    VI_1\n    VI_2') + instance('') + instance('  interface eth2', 'VI_2', 52));
  const g = plain.config.vrrpSyncGroups[0]!;
  assert.deepEqual(tracksOf(g), {
    interfaces: [
      { name: 'eth1', weight: -10, reverse: false },
      { name: 'eth0', weight: 0, reverse: false },
    ],
    scripts: [{ name: 'chk_w', weight: -20, reverse: false }],
    files: [{ name: 'f_w', weight: 3, reverse: false }],
    processes: [],
  });
  // eth0 is VI_1's own interface (keepalived: "track_interface eth0 is configured on VRRP instance and sync group").
  assert.deepEqual(trackWarnings(plain), [
    '26: vrrp_sync_group G: track_interface eth0 is configured on vrrp_instance VI_1 and on the sync group - remove one',
  ]);
  const owned = parse(OBJECTS + group('    VI_1\n    VI_2') + instance('') + instance('  interface eth2\n  priority 255', 'VI_2', 52));
  assert.deepEqual(tracksOf(owned.config.vrrpSyncGroups[0]!), {
    interfaces: [
      { name: 'eth1', weight: 0, reverse: false },
      { name: 'eth0', weight: 0, reverse: false },
    ],
    scripts: [{ name: 'chk_w', weight: 0, reverse: false }],
    files: [{ name: 'f_w', weight: 0, reverse: false }],
    processes: [],
  });
  assert.deepEqual(
    parserWarningsOf(owned).filter((w) => w.includes('priority 255 - weight 0')).map((w) => w.replace(`${MAIN}:`, '')),
    [
      "29: vrrp_sync_group G: track_script 'chk_w' cannot have weight -20 with member VI_2 at priority 255 - weight 0",
      "32: vrrp_sync_group G: track_file 'f_w' cannot have weight 3 with member VI_2 at priority 255 - weight 0",
      "25: vrrp_sync_group G: track_interface 'eth1' cannot have weight -10 with member VI_2 at priority 255 - weight 0",
    ],
  );
});
