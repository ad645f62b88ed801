/**
 * track_process on a real daemon, event-driven: `vigil run` in the host's first network namespace (the only one
 * the kernel's process events connector answers in, as keepalived requires) on one end of a veth pair of this
 * test's own (the other end in a namespace of its own), tracking `sleep` processes this test starts and kills by PID (unique arguments: no other process of the
 * host matches). The instance goes to FAULT when the process it needs is killed and comes back when it runs
 * again; a block with a quorum of 2 and a weight lowers the priority while one copy runs. The log says that the
 * processes are followed through the connector. (Polling, where the kernel does not tell, is covered by
 * features.test.ts, whose daemon runs in a namespace of its own; fork_delay / terminate_delay timing by the
 * simulator, test/sim/tracked-objects.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireRealNetwork } from '../real/helpers.js';
import { eventually, VIGIL } from './daemons.js';

/** The host's first network namespace has a fixed inode number (PROC_NET_INIT_INO, include/linux/proc_ns.h). */
function inFirstNamespace(): { ok: true } | { ok: false; reason: string } {
  try {
    if (readlinkSync('/proc/self/ns/net') === `net:[${0xeffffff9}]`) return { ok: true };
  } catch {
    // fall through
  }
  return { ok: false, reason: 'process events come only in the host\'s first network namespace, and this test is not in it' };
}

test('track_process on a real daemon follows the kernel\'s process events: FAULT and back, priority with a quorum', { timeout: 120_000 }, async (t) => {
  if (!requireRealNetwork(t, inFirstNamespace)) return;
  const dev = `trackproc${process.pid % 100000}`;
  // One /29 of 192.168.77.0/24 per process (the machine's test range; this link is in the first namespace).
  const net = 8 * (process.pid % 32);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-track-process-'));
  const markers = { sleeper: `86400.${process.pid}1`, pair: `86400.${process.pid}2` };
  const sleepers = new Set<ChildProcess>();
  const run = (marker: string): ChildProcess => {
    const p = spawn('sleep', [marker], { stdio: 'ignore' });
    sleepers.add(p);
    return p;
  };
  const kill = async (p: ChildProcess): Promise<void> => {
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
    sleepers.delete(p);
  };
  const ns = `track-process-${process.pid}`;
  const peer = `trackpeer${process.pid % 100000}`;
  let daemon: ChildProcess | undefined;
  let log = '';
  try {
    execFileSync('ip', ['netns', 'add', ns]);
    execFileSync('ip', ['link', 'add', dev, 'type', 'veth', 'peer', 'name', peer, 'netns', ns]);
    execFileSync('ip', ['-n', ns, 'link', 'set', peer, 'up']);
    execFileSync('ip', ['addr', 'add', `192.168.77.${net + 1}/29`, 'dev', dev]);
    execFileSync('ip', ['link', 'set', dev, 'up']);
    let sleeper = run(markers.sleeper);
    const pair = [run(markers.pair), run(markers.pair)];
    const conf = join(dir, 'keepalived.conf');
    writeFileSync(
      conf,
      `global_defs {
  router_id track-process
}
vrrp_track_process sleeper {
  process sleep ${markers.sleeper}
  weight 0
}
vrrp_track_process pair {
  process sleep ${markers.pair}
  quorum 2
  weight -50
}
vrrp_instance VI_TP {
  interface ${dev}
  virtual_router_id 77
  priority 200
  advert_int 1
  virtual_ipaddress {
    192.168.77.${net + 6}/29
  }
  track_process {
    sleeper
    pair
  }
}
`,
    );
    const sock = join(dir, 'status.sock');
    daemon = spawn(VIGIL, ['run', '-f', conf, '-p', join(dir, 'vigil.pid'), '--status-socket', sock, '--dump-dir', join(dir, 'run'), '-D'], { stdio: ['ignore', 'pipe', 'pipe'] });
    daemon.stdout?.on('data', (c: Buffer) => (log += c.toString()));
    daemon.stderr?.on('data', (c: Buffer) => (log += c.toString()));
    const describe = (): string => log.slice(-3000);
    const status = (): { state: string; effective_priority: number } | undefined => {
      try {
        const out = execFileSync(VIGIL, ['status', '--json', '--socket', sock], { encoding: 'utf8' });
        return (JSON.parse(out) as { instances: { name: string; state: string; effective_priority: number }[] }).instances.find((i) => i.name === 'VI_TP');
      } catch {
        return undefined;
      }
    };
    const reaches = (state: string, priority?: number) => async () => {
      const s = status();
      return s?.state === state && (priority === undefined || s.effective_priority === priority);
    };

    await eventually(reaches('MASTER', 200), 10_000, describe);
    // The log is written behind the state changes (it may come a little later).
    const logged = (pattern: RegExp) => async () => pattern.test(log);
    await eventually(logged(/following processes through the kernel's process events connector/), 5000, describe);

    // The process the instance needs is killed: FAULT; it runs again: MASTER.
    await kill(sleeper);
    await eventually(reaches('FAULT'), 5000, describe);
    sleeper = run(markers.sleeper);
    await eventually(reaches('MASTER', 200), 10_000, describe);

    // One of the two copies goes: below the quorum, the weight counts (200 - 50); a second copy again: 200.
    await kill(pair[0]!);
    await eventually(reaches('MASTER', 150), 5000, describe);
    run(markers.pair);
    await eventually(reaches('MASTER', 200), 5000, describe);
    await eventually(logged(/Quorum lost for tracked process sleeper/), 5000, describe);
    await eventually(logged(/Quorum gained for tracked process pair/), 5000, describe);
  } finally {
    if (daemon && daemon.exitCode === null) {
      const exited = new Promise((r) => daemon!.once('exit', r));
      daemon.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (daemon.exitCode === null) daemon.kill('SIGKILL');
    }
    for (const p of sleepers) p.kill('SIGKILL');
    for (const cmd of [['link', 'del', dev], ['netns', 'del', ns]]) {
      try {
        execFileSync('ip', cmd, { stdio: 'ignore' });
      } catch {
        // already gone (the veth goes with either end)
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
