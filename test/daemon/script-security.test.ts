/**
 * Scripts under a real daemon in a namespace, judged from what the scripts themselves leave behind: each runs as
 * the user and group it names (at every level: vrrp_script, notify_*, the FIFO's script), with a clean environment;
 * with enable_script_security a root script in a directory anyone can write is refused, and so is a script that
 * would fall back to root, each said once and never run; the notify FIFO is created, its script reads the lines,
 * and it is gone after the stop; the startup script runs first, notify_stop finishes before the shutdown script, and
 * the shutdown script runs last. Hanging startup and shutdown scripts are cut at their timeouts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLan } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { eventually, holders, startDaemon, vrrpConfig, type Daemon, stopDaemons } from './daemons.js';

function read(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

/** A work directory nobody can read through: scripts in `secure` (root's, 0755), `open` (0777), `out` (0777). */
function workDir(): { work: string; script(where: 'secure' | 'open', name: string, body: string): string; out(name: string): string } {
  const work = mkdtempSync(join(tmpdir(), 'vigil-scripts-daemon-'));
  chmodSync(work, 0o755);
  for (const [d, mode] of [['secure', 0o755], ['open', 0o777], ['out', 0o777]] as const) {
    mkdirSync(join(work, d));
    chmodSync(join(work, d), mode);
  }
  return {
    work,
    script(where, name, body) {
      const path = join(work, where, name);
      writeFileSync(path, `#!/bin/sh\n${body}\n`);
      chmodSync(path, 0o755);
      return path;
    },
    out: (name) => join(work, 'out', name),
  };
}

test('scripts run as their users, clean; insecure ones and root fallbacks are refused once; the FIFO and the stop order', { timeout: 90_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const w = workDir();
  const lan = await createLan({ name: 'scsec', hosts: ['a'], v4Prefix: '192.168.77.X', v4Start: 201, v4PrefixLength: 28 });
  const a = lan.host('a');
  const VIP = '192.168.77.210';
  let daemon: Daemon | undefined;
  try {
    const order = w.out('order');
    const ids = `"$(id -u):$(id -g)"`;
    const fifo = join(w.work, 'vrrp.fifo');
    const startup = w.script('secure', 'startup.sh', `echo startup >> ${order}`);
    const shutdown = w.script('secure', 'shutdown.sh', `echo shutdown >> ${order}`);
    const check = w.script('secure', 'check.sh', `echo ${ids} > ${w.out('check')}\nexit 0`);
    const master = w.script('secure', 'master.sh', `echo master ${ids} >> ${order}`);
    const notify = w.script('secure', 'notify.sh', `echo ${ids} "$@" >> ${w.out('notify')}\nenv > ${w.out('env')}`);
    const stop = w.script('secure', 'stop.sh', `sleep 0.3\necho stop >> ${order}`);
    const reader = w.script('secure', 'reader.sh', `exec < "$1"\nwhile read -r line; do echo "$line" >> ${w.out('fifo')}; done`);
    const insecure = w.script('open', 'backup.sh', `echo ran > ${w.out('insecure')}`);
    const fallback = w.script('secure', 'fault.sh', `echo ran > ${w.out('fallback')}`);
    const config = vrrpConfig({
      vrid: 41,
      priority: 100,
      version: 3,
      vip: `${VIP}/28`,
      extra: `track_script {
    chk
  }
  notify_master ${master} root
  notify_backup ${insecure} root
  notify_fault ${fallback}
  notify_stop ${stop} root
  notify ${notify} nobody daemon`,
    }).replace(
      'global_defs {',
      `global_defs {
  enable_script_security
  vrrp_notify_fifo ${fifo} root
  vrrp_notify_fifo_script ${reader} nobody
  startup_script ${startup} root
  shutdown_script ${shutdown} root`,
    ) +
      `vrrp_script chk {
  script ${check}
  interval 1
  user nobody daemon
}
`;
    daemon = startDaemon(lan, a, 'vigil', config);
    const d = daemon;
    const describe = () => `${d.log().slice(-3000)}\norder: ${read(order)}\nnotify: ${read(w.out('notify'))}\nfifo: ${read(w.out('fifo'))}`;
    await eventually(async () => JSON.stringify(await holders(lan, [a], VIP)) === '["a"]', 15_000, describe);
    await eventually(async () => read(w.out('fifo')).includes('MASTER') && read(w.out('check')) !== '' && read(w.out('notify')).includes('MASTER'), 5000, describe);
    const made = lstatSync(fifo);
    assert.ok(made.isFIFO());
    assert.equal(made.mode & 0o777, 0o644);

    d.kill('SIGTERM');
    assert.equal(await d.exited(15_000), 0);

    // As their users and groups: nobody:daemon (65534:1) for the vrrp_script and notify, root for notify_master.
    assert.equal(read(w.out('check')).trim(), '65534:1');
    assert.deepEqual(read(w.out('notify')).trim().split('\n'), ['65534:1 INSTANCE VI_1 BACKUP 100', '65534:1 INSTANCE VI_1 MASTER 100', '65534:1 INSTANCE VI_1 STOP 100']);
    // The startup script first, notify_stop (0.3 s long) finished before the shutdown script, which is last.
    assert.deepEqual(read(order).trim().split('\n'), ['startup', 'master 0:0', 'stop', 'shutdown']);
    // The FIFO's reader got the lines, and the FIFO vigil made is gone.
    assert.deepEqual(read(w.out('fifo')).trim().split('\n').slice(0, 2), ['INSTANCE "VI_1" BACKUP 100', 'INSTANCE "VI_1" MASTER 100']);
    assert.equal(existsSync(fifo), false);
    // Refused, never run, and each said once.
    assert.equal(existsSync(w.out('insecure')), false);
    assert.equal(existsSync(w.out('fallback')), false);
    const log = d.log();
    const once = (re: RegExp) => assert.equal(log.split('\n').filter((l) => re.test(l)).length, 1, `${re}: ${log}`);
    once(/notify_backup: .*\/open\/backup\.sh is insecure: .*\/open can be changed by a user other than root .*; the script does not run/);
    once(/notify_fault: no script_user, no user keepalived_script on this host, and enable_script_security will not run scripts as root; the script does not run/);
    // A clean environment: PATH (and the locale), nothing of the daemon's.
    const names = read(w.out('env'))
      .trim()
      .split('\n')
      .map((l) => l.slice(0, l.indexOf('=')))
      .filter((n) => !['PWD', 'SHLVL', '_', 'OLDPWD', 'LANG', 'LANGUAGE', 'TZ'].includes(n) && !n.startsWith('LC_'));
    assert.deepEqual(names, ['PATH']);
  } finally {
    await stopDaemons(lan, [daemon]);
    rmSync(w.work, { recursive: true, force: true });
  }
});

test('a hanging startup or shutdown script is cut at its timeout: vigil starts, and stops, all the same', { timeout: 60_000 }, async (t) => {
  if (!requireRealNetwork(t)) return;
  const w = workDir();
  const lan = await createLan({ name: 'scto', hosts: ['a'], v4Prefix: '192.168.77.X', v4Start: 201, v4PrefixLength: 28 });
  const a = lan.host('a');
  let daemon: Daemon | undefined;
  try {
    const hang = w.script('secure', 'hang.sh', `echo $$ > ${w.out('hang-$1')}\nexec sleep 300`);
    const config = vrrpConfig({ vrid: 42, priority: 100, version: 3, vip: '192.168.77.211/28' }).replace(
      'global_defs {',
      `global_defs {
  script_user root
  startup_script "${hang} startup"
  startup_script_timeout 1
  shutdown_script "${hang} shutdown"
  shutdown_script_timeout 1`,
    );
    daemon = startDaemon(lan, a, 'vigil', config);
    const d = daemon;
    await eventually(async () => /started 1 VRRP instance/.test(d.log()), 15_000, () => d.log());
    assert.match(d.log(), /startup_script: .*hang\.sh timed out after 1000 ms and was killed/);
    d.kill('SIGTERM');
    assert.equal(await d.exited(15_000), 0);
    assert.match(d.log(), /shutdown_script: .*hang\.sh timed out after 1000 ms and was killed/);
    // Both ran, and neither is left behind.
    for (const which of ['startup', 'shutdown']) {
      const pid = Number(read(w.out(`hang-${which}`)).trim());
      assert.ok(pid > 0, `${which} ran`);
      assert.equal(existsSync(`/proc/${pid}`), false, `${which} script gone`);
    }
  } finally {
    await stopDaemons(lan, [daemon]);
    rmSync(w.work, { recursive: true, force: true });
  }
});
