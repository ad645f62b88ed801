/**
 * The Node flags vigil runs with (actors/daemon/node-flags.ts): `--single-threaded-gc` with `vrrp_rt_priority`
 * (V8's collector on the realtime VRRP thread alone: its scavenges never wait for helper threads left in the fair
 * class), none without. A vigil started without the flag runs itself again, same pid, with it. The real case needs
 * root (a namespace, SCHED_RR).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLan, requireNetns, type Lan } from '../netns/harness.js';
import { addressesIn, eventually, VIGIL } from './daemons.js';
import { stopProcess } from './stop-process.js';
import { missingNodeFlags, nodeFlagsFor, SINGLE_THREADED_GC } from '../../actors/daemon/node-flags.js';

test('vrrp_rt_priority wants --single-threaded-gc; no realtime priority wants no flag', () => {
  assert.deepEqual(nodeFlagsFor({ vrrpRtPriority: 50 }), [SINGLE_THREADED_GC]);
  assert.deepEqual(nodeFlagsFor({ vrrpRtPriority: undefined }), []);
  assert.deepEqual(nodeFlagsFor({ vrrpRtPriority: 0 }), []);
  assert.deepEqual(missingNodeFlags([SINGLE_THREADED_GC], ['--import', 'x.js']), [SINGLE_THREADED_GC]);
  assert.deepEqual(missingNodeFlags([SINGLE_THREADED_GC], ['--import', 'x.js', SINGLE_THREADED_GC]), []);
});

const VIP = '192.168.77.214';

const config = (globals: string): string => `
global_defs {
${globals}
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 214
    priority 150
    advert_int 1
    virtual_ipaddress {
        ${VIP}/26 dev eth0
    }
}
`;

/**
 * Runs vigil with `globals` in the LAN's host until it is master; the environment it was last executed with, and its
 * output. (Its command line is not to be read: `vigil run` sets the process title over it.)
 */
async function runUntilMaster(lan: Lan, globals: string): Promise<{ environ: string[]; samePid: boolean; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-node-flags-'));
  const conf = join(dir, 'keepalived.conf');
  writeFileSync(conf, config(globals));
  let output = '';
  const host = lan.host('a');
  const child = lan.spawn(host.ns, [VIGIL, 'run', '-f', conf, '-p', join(dir, 'vigil.pid'), '--status-socket', join(dir, 'status.sock'), '--dump-dir', join(dir, 'dumps'), '-D']);
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  try {
    await eventually(async () => (await addressesIn(lan, host)).includes(VIP), 20_000, () => `no master: ${output}`);
    const environ = readFileSync(`/proc/${child.pid}/environ`, 'utf8').split('\0');
    const samePid = readFileSync(join(dir, 'vigil.pid'), 'utf8').trim() === String(child.pid);
    return { environ, samePid, output };
  } finally {
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

test('vigil with vrrp_rt_priority runs itself again, same pid, with --single-threaded-gc; without it, not', async (t) => {
  if (!requireNetns(t)) return;
  const lan = await createLan({ name: 'nflag', hosts: ['a'], v4Prefix: '192.168.77.X', v4Start: 200, v4PrefixLength: 26 });
  try {
    const rt = await runUntilMaster(lan, '    vrrp_rt_priority 1');
    // Executed again with the flag (the marker is in the environment of that execve), once, and the vigil run
    // again found it among Node's own flags (process.execArgv), else it would say it goes on without.
    assert.ok(rt.environ.includes(`VIGIL_NODE_FLAGS=${SINGLE_THREADED_GC}`), rt.output);
    assert.equal(rt.output.match(/running again with Node's --single-threaded-gc/g)?.length, 1, rt.output);
    assert.doesNotMatch(rt.output, /still without|cannot run again/);
    assert.ok(rt.samePid, 'the pid file names the process started');
    const plain = await runUntilMaster(lan, '    router_id nflag');
    assert.ok(!plain.environ.some((e) => e.startsWith('VIGIL_NODE_FLAGS=')), plain.output);
    assert.doesNotMatch(plain.output, /running again/);
  } finally {
    await lan.cleanup();
  }
});
