/**
 * The systemd unit keeps its part of the liveness contract (issue 13, "Liveness"): Type=notify with the main
 * process allowed to notify (READY, RELOADING, STOPPING: test/liveness/daemon-notify.test.ts), a WatchdogSec the
 * daemon pings at a quarter of (actors/daemon/service-liveness.ts) and a stalled VRRP thread misses, a restart on
 * failure, SIGHUP for reload and SIGTERM for stop, and a runtime directory only root can write (the dumps). Where
 * systemd-analyze is installed, systemd itself reads the unit without a complaint.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandAvailable } from '../netns/harness.js';
import { ROOT } from '../daemon/daemons.js';

const UNIT = join(ROOT, 'packaging/vigil.service');

/** The [Service] section's settings (the last one of a name wins, as in systemd). */
function service(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) section = header[1]!;
    else if (section === 'Service') {
      const eq = line.indexOf('=');
      out.set(line.slice(0, eq), line.slice(eq + 1));
    }
  }
  return out;
}

/** systemd's time span in seconds (the forms the unit uses: `10`, `10s`, `500ms`, `1min`). */
function seconds(span: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|min)?$/.exec(span);
  assert.ok(m, `a time span: ${span}`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n / 1000 : m[2] === 'min' ? n * 60 : n;
}

test('the unit: Type=notify, a watchdog, restart on failure, HUP to reload, TERM to stop, a private runtime directory', () => {
  const s = service(readFileSync(UNIT, 'utf8'));
  assert.equal(s.get('Type'), 'notify');
  // The daemon notifies from its main process (sd_notify through the addon, no helper process).
  assert.ok(['main', 'all'].includes(s.get('NotifyAccess') ?? 'main'), `NotifyAccess=${s.get('NotifyAccess')}`);
  const watchdog = seconds(s.get('WatchdogSec') ?? '0');
  // Pinged every quarter: at least a second between pings, and a stall of a minute never goes unnoticed.
  assert.ok(watchdog >= 4 && watchdog <= 60, `WatchdogSec=${s.get('WatchdogSec')}`);
  assert.equal(s.get('Restart'), 'on-failure');
  assert.match(s.get('ExecReload') ?? '', /kill -HUP \$MAINPID$/);
  assert.equal(s.get('KillSignal') ?? 'SIGTERM', 'SIGTERM');
  assert.equal(s.get('RuntimeDirectory'), 'vigil');
  assert.equal(s.get('RuntimeDirectoryMode'), '0700');
});

test('systemd-analyze verify reads the unit without a complaint', (t) => {
  const available = commandAvailable('systemd-analyze');
  if (!available.ok) {
    t.skip(available.reason);
    return;
  }
  // Its ExecStart must exist where it is checked: /usr/bin/vigil is the package's, so a copy runs /bin/true.
  const dir = mkdtempSync(join(tmpdir(), 'vigil-unit-'));
  try {
    const copy = join(dir, 'vigil.service');
    writeFileSync(copy, readFileSync(UNIT, 'utf8').replace(/^ExecStart=\/usr\/bin\/vigil /m, 'ExecStart=/bin/true '));
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', copy], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    // It says what it ignores (an unparsable value) on stderr, and still exits 0.
    assert.equal(r.stderr.trim(), '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
