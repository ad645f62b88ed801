/**
 * vigil(8) and vigil.conf(5): made from the commander program and config/not-implemented.ts, they name every
 * command, option and unimplemented keyword, and groff and man render them without a warning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allCommands, cliTree, vigilProgram } from '../../packaging/cli-tree.js';
import { vigilManPage } from '../../packaging/man-vigil.js';
import { notImplementedSection, vigilConfManPage } from '../../packaging/man-vigil-conf.js';
import { NOT_IMPLEMENTED } from '../../config/not-implemented.js';
import { onPath, renderWide } from './tools.js';

const info = { version: '9.8.7', date: '2026-01-02' };
const tree = cliTree(await vigilProgram());
const pages = { 'vigil.8': vigilManPage(tree, info), 'vigil.conf.5': vigilConfManPage(info) };
const noGroff = onPath('groff') ? false : 'groff is not installed (apt install groff)';

test('the command tree has every subcommand of cli/commands.ts, config test and dump among them', () => {
  const paths = allCommands(tree).map((c) => c.path.join(' '));
  for (const p of ['vigil run', 'vigil sim', 'vigil status', 'vigil config', 'vigil config test', 'vigil config dump', 'vigil viz', 'vigil replay']) {
    assert.ok(paths.includes(p), `${p} is missing from ${paths.join(', ')}`);
  }
  assert.ok(!paths.some((p) => p.endsWith(' help')), 'commander\'s implicit help command is not a vigil command');
});

test('vigil(8) names every command with its usage and every option of each', { skip: noGroff }, () => {
  const text = renderWide(pages['vigil.8']);
  for (const command of allCommands(tree).slice(1)) {
    const heading = `${command.path.join(' ')} ${command.usage}`.trim();
    assert.ok(text.includes(heading), `no section "${heading}"`);
    const section = text.slice(text.indexOf(heading));
    for (const option of command.options) {
      const names = [option.short, option.long].filter((n) => n !== undefined).join(', ');
      assert.ok(section.includes(names), `${command.path.join(' ')}: option ${names} missing`);
      assert.ok(section.includes(option.description), `${command.path.join(' ')} ${names}: description missing`);
    }
  }
  for (const heading of ['SIGNALS', 'FILES', 'EXIT STATUS', 'SIGHUP', 'SIGTERM', 'SIGUSR1', 'SIGUSR2', '/etc/vigil/vigil.conf']) {
    assert.ok(text.includes(heading), `vigil(8) lacks ${heading}`);
  }
  assert.match(text, /vigil 9\.8\.7/);
});

test('vigil.conf(5) lists every entry of config/not-implemented.ts with its reason', { skip: noGroff }, () => {
  const text = renderWide(pages['vigil.conf.5']);
  const listed = text.slice(text.indexOf('NOT IMPLEMENTED'));
  for (const [key, entry] of Object.entries(NOT_IMPLEMENTED)) {
    assert.ok(listed.includes(key), `${key} is not on the page`);
    assert.ok(listed.includes(typeof entry === 'string' ? entry : entry.reason), `${key}: its reason is not on the page`);
  }
  assert.ok(text.includes('lvs_backend auto|ipvs|nftables'), 'vigil\'s own lvs_backend is documented');
});

test('the NOT IMPLEMENTED section follows the list it is given: an entry added is on the page, with its defaults', () => {
  const lines = notImplementedSection({ 'vrrp_instance made_up_keyword': { reason: 'a reason of the test', defaults: ['7'] }, top_thing: 'another' });
  const text = lines.join('\n');
  assert.match(text, /made_up_keyword/);
  assert.match(text, /a reason of the test \(given as 7, keepalived's default, no warning\)/);
  assert.match(text, /\.SS "vrrp_instance"/);
  assert.match(text, /\.SS "top level"/);
});

test('groff -ww renders both pages without a warning', { skip: noGroff }, () => {
  for (const [name, roff] of Object.entries(pages)) {
    const out = spawnSync('groff', ['-ww', '-z', '-man', '-Tutf8'], { input: roff, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8' } });
    assert.equal(out.status, 0, `${name}: groff exited ${out.status}`);
    assert.equal(out.stderr, '', `${name}: ${out.stderr}`);
  }
});

test('man -l renders both pages without a warning, at 80 and 120 columns', { skip: onPath('man') ? noGroff : 'man is not installed (apt install man-db)' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-man-'));
  try {
    for (const [name, roff] of Object.entries(pages)) {
      const file = join(dir, name);
      writeFileSync(file, roff);
      for (const width of ['80', '120']) {
        const out = spawnSync('man', ['-l', file], { encoding: 'utf8', env: { ...process.env, MANWIDTH: width, MANPAGER: 'cat', PAGER: 'cat', LC_ALL: 'C.UTF-8' } });
        assert.equal(out.status, 0, `${name}: man exited ${out.status}`);
        assert.equal(out.stderr, '', `${name} at ${width} columns: ${out.stderr}`);
        assert.match(out.stdout, /NAME/);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
