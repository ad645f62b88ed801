/**
 * Fault campaign (issue 13), the host and the LAN: nftables failing when the daemon stops, tracked scripts that
 * hang, flood their output or cannot be executed, and a flood of bad packets on the LAN. Each case on its own
 * LAN, run side by side; the VRRP side keeps exactly one VIP holder and the daemons keep running.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { commandAvailable } from '../netns/harness.js';
import { requireRealNetwork } from '../real/helpers.js';
import { eventually, vigilStatus } from '../daemon/daemons.js';
import { encodeAdvertisement } from '../../protocol/vrrp-codec.js';
import type { VrrpAdvertisement } from '../../protocol/vrrp-types.js';
import { ipv4Datagram } from '../../bench/tools/packet-mutations.js';
import { rawSocketDrops, runSender } from '../../bench/tools/sender-process.js';
import { withPair } from './fault-pair.js';

test('faults of the host and the LAN', { timeout: 240_000 }, async (t) => {
  if (!requireRealNetwork(t, () => commandAvailable('nft'))) return;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-faults-'));
  chmodSync(dir, 0o755);
  try {
    await Promise.all([
      t.test('nft failing at stop: the daemon still exits, says so, and releases the VIP; the next start replaces the table', () => {
        // An nft that works until the file `fail` exists (PATH puts it first; vigil runs nft by name). The real server
        // does not exist, so its first check fails; the sorry server keeps the service (and vigil's table) from then.
        writeFileSync(join(dir, 'nft'), `#!/bin/sh\n[ -e ${dir}/fail ] && { echo "nft: injected failure" >&2; exit 1; }\nexec /usr/sbin/nft "$@"\n`, { mode: 0o755 });
        const top = (host: 'm' | 'b') =>
          host === 'm' ? `global_defs {\n  lvs_backend nftables\n}\nvirtual_server 192.168.77.66 80 {\n  delay_loop 1\n  lb_kind NAT\n  protocol TCP\n  sorry_server 192.168.77.98 8080\n  real_server 192.168.77.99 8080 {\n    TCP_CHECK {\n      connect_timeout 1\n    }\n  }\n}\n` : '';
        return withPair(
          'hn',
          { start: 21, vip: '192.168.77.66', vrid: 66, top, daemonOptions: (h) => (h === 'm' ? { wrap: (cmd) => ['env', `PATH=${dir}:${process.env['PATH']}`, ...cmd] } : {}) },
          async (p) => {
            const tables = async () => (await p.lan.exec(p.m.ns, ['nft', 'list', 'tables'])).stdout.split('\n').filter((l) => l.trim() !== '');
            await eventually(async () => (await tables()).length > 0, 10_000, p.describe);
            const before = await tables();
            writeFileSync(join(dir, 'fail'), '');
            p.dm.proc.kill('SIGTERM');
            await p.dm.exited(15_000);
            assert.match(p.dm.log(), /injected failure/, 'the nft failure is logged');
            await p.heldBy('b');
            rmSync(join(dir, 'fail'));
            // The table the failed stop left is replaced, not doubled, when vigil starts again.
            assert.deepEqual(await tables(), before);
            p.dm.restart();
            await p.heldBy('m', 15_000);
            await eventually(async () => /load balancer: nftables/.test(p.dm.log()), 10_000, p.describe);
            assert.deepEqual(await tables(), before);
          },
        );
      }),
      t.test('tracked scripts that hang, flood their output, or cannot be executed: killed, refused, the daemon unharmed', () => {
        writeFileSync(join(dir, 'noexec.sh'), '#!/bin/sh\nexit 0\n', { mode: 0o644 });
        // The flood's argument names this run: the check that it is gone looks at our process alone, not at a
        // `yes flood` someone else runs on the host (pgrep sees every process, whatever the network namespace).
        const flood = `flood-${basename(dir)}`;
        const top = (host: 'm' | 'b') =>
          host === 'm'
            ? `vrrp_script hang {\n  script "/bin/sleep 30"\n  interval 1\n  timeout 1\n  fall 1\n  rise 1\n}\n` +
              `vrrp_script flood {\n  script "/usr/bin/yes ${flood}"\n  interval 1\n  timeout 1\n  fall 1\n  rise 1\n}\n` +
              `vrrp_script noexec {\n  script "${join(dir, 'noexec.sh')}"\n  interval 1\n}\n`
            : '';
        // The hanging script (weight -60) takes the master below the backup when it is judged failed.
        const instanceExtra = (host: 'm' | 'b') => (host === 'm' ? 'track_script {\n    hang weight -60\n    flood weight -1\n    noexec weight -60\n  }' : '');
        return withPair('hs', { start: 25, vip: '192.168.77.67', vrid: 67, top, instanceExtra, settled: 'b' }, async (p) => {
          await eventually(async () => /VRRP_Script\(hang\) failed/.test(p.dm.log()) && /VRRP_Script\(flood\) failed/.test(p.dm.log()), 10_000, p.describe);
          assert.match(p.dm.log(), /vrrp_script noexec: .* is not executable .*does not run/);
          // Several more rounds of both: the output flood is not kept, no script is left running past its timeout.
          await delay(4000);
          const s = (await vigilStatus(p.lan, p.dm)) as unknown as { process: { rss_kb: number; children: number } };
          assert.ok(s.process.rss_kb < 400_000, `RSS ${s.process.rss_kb} kB`);
          assert.ok(s.process.children <= 2, `${s.process.children} children`);
          p.assertRunning();
          // A stop takes its scripts with it (a SIGKILL would leave the one running now behind, writing forever).
          p.dm.proc.kill('SIGTERM');
          await p.dm.exited(15_000);
          await eventually(async () => (await p.lan.exec(p.m.ns, ['pgrep', '-f', `^/usr/bin/yes ${flood}$`]).then(() => false, () => true)), 5000, p.describe);
        });
      }),
      t.test('a flood of bad packets on the LAN: no election, every packet read or dropped by the socket, counted', () =>
        withPair('hf', { start: 29, vip: '192.168.77.68', vrid: 68, advert: '1', extraHosts: ['f'] }, async (p) => {
          const f = p.lan.host('f');
          const adv = (o: Partial<VrrpAdvertisement>) =>
            encodeAdvertisement(
              { version: 3, vrid: 68, priority: 254, intervalCs: 100, family: 4, addresses: ['192.168.77.68'], authType: 0, authPassword: '', ...o },
              { source: f.ipv4, destination: '224.0.0.18' },
            );
          const badChecksum = adv({});
          badChecksum[6] = badChecksum[6]! ^ 0xff;
          const packets = [
            ipv4Datagram({ source: f.ipv4, destination: '224.0.0.18', ttl: 254, payload: adv({}) }),
            ipv4Datagram({ source: f.ipv4, destination: '224.0.0.18', ttl: 255, payload: adv({ vrid: 99 }) }),
            ipv4Datagram({ source: f.ipv4, destination: '224.0.0.18', ttl: 255, payload: badChecksum }),
          ].map((b) => Buffer.from(b).toString('hex'));
          const before = await vigilStatus(p.lan, p.dm);
          const seen = (s: typeof before) => (s.instances[0]!.counters.drops['ttl'] ?? 0) + (s.drops['vrid'] ?? 0) + (s.drops['checksum'] ?? 0);
          const rawDrops = () => rawSocketDrops(p.lan, p.m.ns);
          const raw0 = await rawDrops();
          const [logM, logB] = [p.dm.log().length, p.db.log().length];
          const plan = { interface: 'eth0', destination: '224.0.0.18', rate: 5000, count: 20_000, packets };
          const report = await runSender(p.lan, f, plan);
          assert.equal(report.sent, 20_000);
          let counted = 0;
          await eventually(
            async () => {
              counted = seen(await vigilStatus(p.lan, p.dm)) - seen(before) + ((await rawDrops()) - raw0);
              return counted === report.sent;
            },
            10_000,
            async () => `counted ${counted} of ${report.sent}\n${await p.describe()}`,
            200,
          );
          assert.deepEqual(await p.holders(), ['m']);
          // No election during the flood (the pair's start-up, before it, may have had one).
          assert.doesNotMatch(p.dm.log().slice(logM), /Entering (BACKUP|FAULT) STATE/);
          assert.doesNotMatch(p.db.log().slice(logB), /Entering MASTER STATE/);
          p.assertRunning();
        }),
      ),
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
