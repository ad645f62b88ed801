/**
 * Sync groups' notifications against keepalived 2.2.7, each daemon in a namespace of its own with a notify_fifo
 * read by `cat`: at start a group of address owners is told nothing (its members MASTER), a group of backups
 * BACKUP then MASTER; a reload that changes members of both groups (a VIP added, a priority raised, advert_int)
 * tells nothing, and the VIPs it adds are set. Compared object by object (the order between two instances whose
 * timers end together is the scheduler's), and whole for the reload (nothing).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { requireNetns } from '../netns/harness.js';
import { addressesIn, cleanupDir, eventually, startDaemon, type Daemon } from '../daemon/daemons.js';
import { block, commandsAvailable, sideBySide, vrrpInstance } from './daemon-sites.js';

function config(fifo: string, reloaded: boolean): string {
  const vip = (n: number, added: boolean): string[] => [`192.168.77.${n}/24`, ...(added && reloaded ? [`192.168.77.${n + 10}/24`] : [])];
  return (
    block('global_defs', [`notify_fifo ${fifo}`, 'router_id sgn']) +
    block('vrrp_sync_group G', [block('group', ['VI_1', 'VI_2'])]) +
    block('vrrp_sync_group H', [block('group', ['VI_3', 'VI_4'])]) +
    vrrpInstance('VI_1', { state: 'MASTER', vrid: 161, priority: 255, vips: vip(161, true), lines: ['advert_int 1'] }) +
    vrrpInstance('VI_2', { state: 'MASTER', vrid: 162, priority: 255, vips: vip(162, false), lines: ['advert_int 1'] }) +
    vrrpInstance('VI_3', { state: 'BACKUP', vrid: 163, priority: reloaded ? 110 : 100, vips: vip(163, false), lines: [`advert_int ${reloaded ? 2 : 1}`] }) +
    vrrpInstance('VI_4', { state: 'BACKUP', vrid: 164, priority: 100, vips: vip(164, true), lines: ['advert_int 1'] })
  );
}

interface Site {
  readonly daemon: Daemon;
  readonly fifoDir: string;
  /** The FIFO's lines so far. */
  lines(): string[];
}

/** Each object's lines in order, by object: `GROUP "G"` → ['MASTER 0', …]. */
function byObject(lines: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const line of lines) {
    const m = /^(\S+ "[^"]+") (.*)$/.exec(line);
    if (!m) continue;
    (out[m[1]!] ??= []).push(m[2]!);
  }
  return out;
}

test('sync groups at start and across a reload: the notify FIFO reads as keepalived 2.2.7 writes it', { timeout: 180_000 }, async (t) => {
  if (!requireNetns(t, commandsAvailable('keepalived'))) return;
  await sideBySide(
    { name: 'sgn', hosts: ['a'], v4Start: 11 },
    async (lan, kind): Promise<Site> => {
      const host = lan.host('a');
      const fifoDir = mkdtempSync(join(tmpdir(), `vigil-sgn-${kind}-`));
      const fifo = join(fifoDir, 'notify.fifo');
      execFileSync('mkfifo', [fifo]);
      let text = '';
      const reader = lan.spawn(host.ns, ['cat', fifo]);
      reader.stdout?.on('data', (c: Buffer) => (text += c.toString()));
      const daemon = startDaemon(lan, host, kind, config(fifo, false));
      return { daemon, fifoDir, lines: () => text.split('\n').filter((l) => l !== '') };
    },
    async ([k, v]) => {
      try {
        const describe = (): string => `keepalived:\n${k.lines().join('\n')}\nvigil:\n${v.lines().join('\n')}\nvigil log:\n${v.daemon.log().slice(-2000)}`;
        for (const site of [k, v]) await eventually(async () => site.lines().includes('GROUP "H" MASTER 0'), 20_000, describe);
        // Anything late (there should be nothing) has time to come.
        await delay(2000);
        assert.deepEqual(byObject(v.lines()), byObject(k.lines()), describe());
        assert.deepEqual(byObject(k.lines()), {
          'INSTANCE "VI_1"': ['MASTER 255'],
          'INSTANCE "VI_2"': ['MASTER 255'],
          'GROUP "H"': ['BACKUP 0', 'MASTER 0'],
          'INSTANCE "VI_3"': ['BACKUP 100', 'MASTER 100'],
          'INSTANCE "VI_4"': ['BACKUP 100', 'MASTER 100'],
        });

        const before = [k.lines().length, v.lines().length] as const;
        for (const site of [k, v]) {
          writeFileSync(site.daemon.conf, config(join(site.fifoDir, 'notify.fifo'), true));
          process.kill(site.daemon.proc.pid!, 'SIGHUP');
        }
        for (const site of [k, v]) {
          await eventually(async () => {
            const held = await addressesIn(site.lan, site.lan.host('a'));
            return held.includes('192.168.77.171') && held.includes('192.168.77.174');
          }, 20_000, describe);
        }
        await delay(5000);
        assert.deepEqual([k.lines().slice(before[0]), v.lines().slice(before[1])], [[], []], describe());
        for (const site of [k, v]) {
          const held = (await addressesIn(site.lan, site.lan.host('a'))).filter((a) => a.startsWith('192.168.77.1') && a !== '192.168.77.11').sort();
          assert.deepEqual(held, ['192.168.77.161', '192.168.77.162', '192.168.77.163', '192.168.77.164', '192.168.77.171', '192.168.77.174'], `${site.kind}: ${held}`);
        }
      } finally {
        for (const site of [k, v]) {
          site.daemon.kill('SIGTERM');
          await site.daemon.exited(20_000).catch(() => site.daemon.kill('SIGKILL'));
          cleanupDir(site.daemon);
          rmSync(site.fifoDir, { recursive: true, force: true });
        }
      }
    },
  );
});
