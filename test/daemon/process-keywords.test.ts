/**
 * The process-level keywords on a real vigil in a network namespace, judged from /proc and the file system:
 * `umask` (the process's mask), `instance` (the pid file /run/vigil/vigil_NAME.pid, made rw-r--r--, gone at stop),
 * `vrrp_process_name` (the main thread's comm), `vrrp_cpu_affinity` (the main thread's CPUs), vigil's short fair-scheduler
 * slice on the VRRP thread alone (/proc/PID/task/TID/sched se.slice), `data_use_instance`
 * (the SIGUSR1 dump named vigil.NAME.data), `max_auto_priority` (realtime after a late timer), `reload_time_file` (a reload at the time written), `checker_process_name` and `checker_cpu_affinity` (the checker
 * worker thread's); and `net_namespace` (a vigil started outside the namespace runs in
 * it with the same pid, its pid file in /run/vigil/NS/, and becomes master there). Needs root.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLan, requireNetns, type Lan } from '../netns/harness.js';
import { VRRP_SLICE_US } from '../../actors/daemon/daemon.js';
import { addressesIn, eventually, VIGIL } from './daemons.js';
import { stopProcess } from './stop-process.js';

const VIP = '192.168.77.213';

const config = (top: string, globals: string): string => `
${top}
global_defs {
${globals}
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 213
    priority 150
    advert_int 1
    virtual_ipaddress {
        ${VIP}/26 dev eth0
    }
}
`;

/** vigil stops, and its pid file goes with it. */
async function stopRemovesPidFile(child: ChildProcess, pidFile: string): Promise<void> {
  await stopProcess(child);
  assert.equal(existsSync(pidFile), false, 'the pid file stays after the stop');
}

/** The end of every test here: vigil stopped if it ran, the LAN and the test's directory removed. */
async function cleanUp(child: ChildProcess | undefined, lan: Lan, dir: string): Promise<void> {
  if (child) await stopProcess(child);
  await lan.cleanup();
  rmSync(dir, { recursive: true, force: true });
}

function procField(pid: number, field: string, tid = pid): string | undefined {
  const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
  return new RegExp(`^${field}:\\s*(.*)$`, 'm').exec(status)?.[1]?.trim();
}

test('umask, instance, vrrp_process_name, vrrp_cpu_affinity, data_use_instance act on the process', async (t) => {
  if (!requireNetns(t)) return;
  const lan = await createLan({ name: 'kwp', hosts: ['a'], v4Prefix: '192.168.77.X', v4Start: 200, v4PrefixLength: 26 });
  const dir = mkdtempSync(join(tmpdir(), 'vigil-kw-proc-'));
  const instance = `kwproc${process.pid}`;
  const pidFile = `/run/vigil/vigil_${instance}.pid`;
  let output = '';
  let child: ChildProcess | undefined;
  try {
    const conf = join(dir, 'keepalived.conf');
    const reloadAt = join(dir, 'reload-at');
    writeFileSync(
      conf,
      config(`instance ${instance}`, `    umask 0027\n    vrrp_process_name kwp_vrrp\n    vrrp_cpu_affinity 0\n    checker_process_name kwp_check\n    checker_cpu_affinity 1\n    data_use_instance\n    lvs_backend nftables\n    reload_time_file ${reloadAt}\n    max_auto_priority 3\n    min_auto_priority_delay 1000000`) +
        `virtual_server ${VIP} 80 {\n    delay_loop 5\n    lb_kind NAT\n    protocol TCP\n    real_server 192.168.77.201 80 {\n        TCP_CHECK {\n            connect_timeout 1\n        }\n    }\n}\n`,
    );
    const dumps = join(dir, 'dumps');
    child = lan.spawn(lan.host('a').ns, [VIGIL, 'run', '-f', conf, '--status-socket', join(dir, 'status.sock'), '--dump-dir', dumps, '-D']);
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    const pid = child.pid!;
    await eventually(async () => (await addressesIn(lan, lan.host('a'))).includes(VIP), 10_000, () => `no master: ${output}`);
    // instance NAME: the pid file keepalived names keepalived_NAME.pid in its pid directory, rw-r--r--.
    assert.equal(readFileSync(pidFile, 'utf8').trim(), String(pid));
    assert.equal(statSync(pidFile).mode & 0o777, 0o644);
    assert.equal(procField(pid, 'Umask'), '0027');
    assert.equal(readFileSync(`/proc/${pid}/comm`, 'utf8').trim(), 'kwp_vrrp');
    assert.equal(procField(pid, 'Cpus_allowed_list'), '0');
    // checker_process_name / checker_cpu_affinity: the checker worker thread (when the machine has a second CPU).
    const comms = (): { tid: number; comm: string }[] =>
      readdirSync(`/proc/${pid}/task`).map((tid) => ({ tid: Number(tid), comm: readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim() }));
    await eventually(async () => comms().some((c) => c.comm === 'kwp_check'), 10_000, () => `no checker thread: ${JSON.stringify(comms())} ${output}`);
    const checker = comms().find((c) => c.comm === 'kwp_check')!;
    if (cpus().length > 1) assert.equal(procField(pid, 'Cpus_allowed_list', checker.tid), '1');
    // The VRRP thread's fair-scheduler slice is vigil's short one (VRRP_SLICE_US); the checker thread, which would
    // inherit it, has the default back (Linux 6.12+ takes a thread's own slice).
    const slice = (tid: number): string | undefined => /^se\.slice\s*:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/task/${tid}/sched`, 'utf8'))?.[1];
    const [major, minor] = release().split('.').map(Number) as [number, number];
    if (major > 6 || (major === 6 && minor >= 12)) {
      assert.equal(slice(pid), String(VRRP_SLICE_US * 1000));
      assert.notEqual(slice(checker.tid), String(VRRP_SLICE_US * 1000), 'the checker thread kept the VRRP thread\'s slice');
    }
    // Threads started before the configuration was read keep every CPU: only the VRRP thread is pinned.
    const others = readdirSync(`/proc/${pid}/task`).map(Number).filter((tid) => tid !== pid);
    assert.ok(others.some((tid) => procField(pid, 'Cpus_allowed_list', tid) !== '0'), 'every thread pinned');
    child.kill('SIGUSR1');
    await eventually(async () => existsSync(join(dumps, `vigil.${instance}.data`)), 5000, () => `no dump: ${readdirSync(dumps).join(' ')} ${output}`);
    assert.equal(existsSync(join(dumps, 'vigil.data')), false);
    // max_auto_priority: held up (stopped) for longer than min_auto_priority_delay, its next timer runs late and the
    // VRRP thread goes SCHED_RR at priority 1 (policy and rt_priority: /proc/PID/task/TID/stat fields 41 and 40).
    const policy = (): string[] => {
      const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return [fields[38]!, fields[37]!];
    };
    assert.deepEqual(policy(), ['0', '0']);
    process.kill(pid, 'SIGSTOP');
    await new Promise((r) => setTimeout(r, 2500));
    process.kill(pid, 'SIGCONT');
    await eventually(async () => policy()[0] === '2', 5000, () => `not realtime: ${policy().join(' ')} ${output}`);
    assert.deepEqual(policy(), ['2', '1']);
    // reload_time_file: the time written (two seconds ahead, local time) brings a reload, and the file goes.
    const t = new Date(Date.now() + 2000);
    writeFileSync(reloadAt, `${[t.getHours(), t.getMinutes(), t.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':')}\n`);
    await eventually(async () => /reloaded: kept 1/.test(output), 10_000, () => `no reload: ${output}`);
    assert.equal(existsSync(reloadAt), false);
    await stopRemovesPidFile(child, pidFile);
  } finally {
    await cleanUp(child, lan, dir);
    rmSync(pidFile, { force: true });
  }
});

test('net_namespace: vigil started outside the namespace runs in it, same pid, pid file in /run/vigil/NS/', async (t) => {
  if (!requireNetns(t)) return;
  const lan = await createLan({ name: 'kwn', hosts: ['a'], v4Prefix: '192.168.77.X', v4Start: 200, v4PrefixLength: 26 });
  const dir = mkdtempSync(join(tmpdir(), 'vigil-kw-proc-'));
  const ns = lan.host('a').ns;
  const pidFile = `/run/vigil/${ns}/vigil.pid`;
  let output = '';
  let child: ChildProcess | undefined;
  try {
    const conf = join(dir, 'keepalived.conf');
    writeFileSync(conf, config(`net_namespace ${ns}`, '    router_id kwn'));
    child = spawn(VIGIL, ['run', '-f', conf, '--status-socket', join(dir, 'status.sock'), '--dump-dir', join(dir, 'dumps'), '-D'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    const pid = child.pid!;
    await eventually(async () => (await addressesIn(lan, lan.host('a'))).includes(VIP), 10_000, () => `no master in ${ns}: ${output}`);
    assert.equal(readlinkSync(`/proc/${pid}/ns/net`), `net:[${statSync(`/run/netns/${ns}`).ino}]`);
    assert.notEqual(readlinkSync(`/proc/${pid}/ns/net`), readlinkSync('/proc/self/ns/net'));
    assert.equal(readFileSync(pidFile, 'utf8').trim(), String(pid));
    await stopRemovesPidFile(child, pidFile);
  } finally {
    await cleanUp(child, lan, dir);
    rmSync(`/run/vigil/${ns}`, { recursive: true, force: true });
  }
});
