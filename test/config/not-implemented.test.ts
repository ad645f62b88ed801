/**
 * Keywords vigil accepts but does not implement: one warning per use, `FILE:LINE: KEYWORD is accepted but not
 * implemented by vigil`, an error with `strict`; every entry of config/not-implemented.ts fires on a use of it,
 * and the README lists exactly these entries with their reasons.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigLoadError, loadConfigText } from '../../config/load.js';
import { NOT_IMPLEMENTED, parseNotImplementedKey } from '../../config/not-implemented.js';
import { renderConfig } from '../../config/render.js';
import { instance, MAIN, parse, ROOT, warningsOf } from './helpers.js';

const SUFFIX = 'is accepted but not implemented by vigil';

function notImplemented(text: string): string[] {
  return warningsOf(parse(text)).filter((w) => w.endsWith(SUFFIX));
}

/** The example of issue 12: what keepalived refuses or does, and vigil read silently. */
const ISSUE_EXAMPLE = `global_defs { router_id lb1
  vrrp_strict }
vrrp_sync_group G1 { group { VI_1 }
  track_interface { eth9 } }
vrrp_instance VI_1 { state BACKUP
  interface lo
  virtual_router_id 51
  priority 100
  authentication { auth_type AH
    auth_pass secret }
  virtual_ipaddress { 192.168.77.100/24 }
  virtual_routes { 10.9.0.0/16 via 192.168.77.1 table mytable } }
`;

test("issue 12's example: nothing is warned about (router_id names the machine in SNMP and e-mail alerts); vrrp_strict and the sync group's tracking are implemented; the table name is resolved", () => {
  assert.deepEqual(notImplemented(ISSUE_EXAMPLE), []);
  // mytable is looked up in rt_tables like any other table name: unknown here, the route is skipped with a warning.
  assert.ok(warningsOf(parse(ISSUE_EXAMPLE)).some((w) => w.startsWith(`${MAIN}:12: `) && w.includes("routing table 'mytable'") && w.endsWith('skipping route')));
});

test('what vigil implements is not warned about: PASS, numbered and well-known tables, use_vmac without a MAC, static addresses with dev', () => {
  const text =
    'static_ipaddress {\n  10.1.1.1/24 dev eth0\n}\nstatic_rules {\n  from 10.1.1.0/24 table 100 priority 10 fwmark 7/0xff not tos 0x10 ipproto tcp dport 80-80\n}\n' +
    instance(
      '  authentication {\n    auth_type PASS\n    auth_pass secret\n  }\n  virtual_routes {\n    10.9.0.0/16 via 192.0.2.254 table 100 protocol 18 onlink mtu lock 1400\n    10.8.0.0/16 dev eth0 table main metric 5 nexthop via 192.0.2.2 weight 2 nexthop via 192.0.2.3\n    blackhole 10.7.0.0/16\n    throw 10.6.0.0/16 table 100 no_track\n  }\n' +
        '  use_vmac vrrp.51\n  notify_master /bin/true\n  track_interface {\n    eth1 weight -10\n  }',
    );
  assert.deepEqual(notImplemented(text), []);
});

test('one warning per use: a keyword given twice, two warnings; a listed option on a line, one', () => {
  const text = instance('  vrf blue\n  vrf blue\n  virtual_routes {\n    10.9.0.0/16 dev eth0 vrf blue\n  }\n');
  assert.deepEqual(notImplemented(text), [
    `${MAIN}:7: vrrp_instance vrf ${SUFFIX}`,
    `${MAIN}:8: vrrp_instance vrf ${SUFFIX}`,
    `${MAIN}:10: vrrp_instance virtual_routes vrf ${SUFFIX}`,
  ]);
});

test("a keyword given with keepalived's default value means what leaving it out means: no warning", () => {
  const flags = (values: readonly string[]): string => values.map((v) => `  lvs_netlink_cmd_rcv_bufs_force${v}\n`).join('');
  const defaults = `global_defs {\n${flags([' off', ' no', ' false'])}}\n` + instance('');
  assert.deepEqual(notImplemented(defaults), []);
  const others = `global_defs {\n${flags(['', ' on', ' yes'])}}\n` + instance('');
  assert.deepEqual(
    notImplemented(others).map((w) => w.slice(MAIN.length + 1)),
    ['2: global_defs lvs_netlink_cmd_rcv_bufs_force', '3: global_defs lvs_netlink_cmd_rcv_bufs_force', '4: global_defs lvs_netlink_cmd_rcv_bufs_force'].map((w) => `${w} ${SUFFIX}`),
  );
});

test('config dump spells out defaults, and its output read back has nothing to warn about that the input had not', () => {
  const text = instance('  priority 90');
  assert.deepEqual(notImplemented(renderConfig(parse(text).config)), []);
});

test('strict: a keyword vigil does not implement is an error naming its file and line', () => {
  const text = instance('  vrf blue\n  unicast_peer {\n    192.0.2.9\n  }');
  assert.deepEqual(loadConfigText(text, MAIN).warnings, [`${MAIN}:7: vrrp_instance vrf ${SUFFIX}`]);
  assert.throws(() => loadConfigText(text, MAIN, { strict: true }), (err: unknown) => err instanceof ConfigLoadError && err.message === `${MAIN}:7: vrrp_instance vrf ${SUFFIX}`);
});

/** Blocks whose opening line takes arguments, and the ones a use is written with. */
const OPENER_ARGUMENTS: Readonly<Record<string, string>> = {
  vrrp_instance: 'VI_X',
  vrrp_sync_group: 'G_X',
  vrrp_script: 'S_X',
  track_file: 'F_X',
  vrrp_track_file: 'F_X',
  track_process: 'P_X',
  vrrp_track_process: 'P_X',
  bfd_instance: 'B_X',
  track_group: 'T_X',
  virtual_server: '10.0.0.1 80',
  real_server: '10.0.0.2 80',
};
/** Keywords whose `{ }` holds value lines (walker.lines) rather than keywords, and how such a line starts. */
const VALUE_BLOCKS: Readonly<Record<string, string>> = {
  static_ipaddress: '10.1.1.1/24',
  virtual_ipaddress: '10.1.1.1/24',
  virtual_ipaddress_excluded: '10.1.1.1/24',
  static_routes: '10.9.0.0/16',
  virtual_routes: '10.9.0.0/16',
  static_rules: 'from 10.1.0.0/16',
  virtual_rules: 'from 10.1.0.0/16',
  unicast_peer: '192.0.2.9',
};
const SAMPLES: Readonly<Record<string, string>> = {
  '<name>': 'mytable',
  '<mark>': '1/0xff',
  '<mac>': '02:00:5e:00:01:33',
  '<address>': '10.1.1.1/24',
  '<script>': '/bin/true',
  '<user>': 'nobody',
  '<group>': 'nogroup',
};

/** A configuration that uses the entry once (the first of each set of alternatives), and the words warned about. */
function useOf(key: string): { text: string; words: string } {
  const { path, pattern } = parseNotImplementedKey(key);
  const keywords = path.map((alternatives) => alternatives[0]!);
  const words = pattern.map((alternatives) => {
    const w = alternatives[0]!;
    if (!w.startsWith('<')) return w;
    const sample = SAMPLES[w];
    assert.ok(sample !== undefined, `no sample value for ${w} (used in '${key}')`);
    return sample;
  });
  const last = keywords[keywords.length - 1]!;
  const lineStart = VALUE_BLOCKS[last];
  let body = words.length === 0 ? last : lineStart !== undefined ? `${last} {\n${lineStart} ${words.join(' ')}\n}` : `${last} ${words.join(' ')}`;
  for (const k of keywords.slice(0, -1).reverse()) body = `${k} ${OPENER_ARGUMENTS[k] ?? ''} {\n${body}\n}`;
  return { text: `${body}\n`, words: [...keywords, ...words].join(' ') };
}

test('every entry of the list warns, once, when its keyword is used', () => {
  const silent: string[] = [];
  for (const key of Object.keys(NOT_IMPLEMENTED)) {
    const { text, words } = useOf(key);
    const warned = notImplemented(text).filter((w) => w.endsWith(`: ${words} ${SUFFIX}`));
    if (warned.length !== 1) silent.push(`${key}: ${warned.length} warnings for\n${text}`);
  }
  assert.deepEqual(silent, []);
  assert.ok(Object.keys(NOT_IMPLEMENTED).length > 0);
});

/** The README section, from the heading to the next heading. */
function readmeSection(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## What vigil does not implement');
  assert.ok(start >= 0, 'README.md has no "## What vigil does not implement" section');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The table rows the README must have: one per entry, in the list's order. */
function expectedReadmeRows(): string[] {
  return Object.entries(NOT_IMPLEMENTED).map(([key, value]) => {
    const entry = typeof value === 'string' ? { reason: value } : value;
    const defaults = entry.defaults ? ` (keepalived's default, ${entry.defaults.map((d) => `\`${d}\``).join(' or ')}, is not warned about)` : '';
    return `| \`${key.replace(/\|/g, '\\|')}\` | ${entry.reason}${defaults} |`;
  });
}

test('the README lists exactly the keywords of config/not-implemented.ts, with their reasons', () => {
  const rows = readmeSection()
    .split('\n')
    .filter((l) => l.startsWith('| `'));
  const expected = expectedReadmeRows();
  assert.deepEqual(rows, expected, `README.md's table should be:\n${expected.join('\n')}`);
});
