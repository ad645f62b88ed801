/**
 * Issue 16: an SMTP server that refuses connections is a warning per failed try, never a failed start nor a stalled
 * VRRP thread. Host `a` runs vigil with smtp_alert on and smtp_server at a port nothing listens on (connections
 * refused at once); host `b` runs the backup of a's instance. vigil starts, a becomes master and holds the VIP; each
 * alert is tried 1 + 3 times, each failed try one log line (three warnings, then one error), no more; the status
 * counts them failed; meanwhile b never becomes master and kept hearing a's adverts.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { requireNetns } from '../netns/harness.js';
import { block, testLan, vrrpInstance } from '../real/daemon-sites.js';
import { VIGIL, cleanupDir, eventually, holders, startDaemon, vigilStatus, type Daemon } from './daemons.js';

const VIP = '192.168.77.180';

interface EmailStatus {
  readonly email?: { sent: number; failed: number; dropped: number; queued: number };
}

test('smtp_alert with an SMTP server refusing connections: one line per failed try, a normal start, VRRP undisturbed', { timeout: 180_000 }, async (t) => {
  if (!requireNetns(t)) return;
  const lan = await testLan({ name: 'snmpresmail', hosts: ['a', 'b'], v4Start: 176 });
  const daemons: Daemon[] = [];
  try {
    const [a, b] = [lan.host('a'), lan.host('b')];
    // Port 2599 of b: nothing listens there, so b's kernel answers each SYN with a reset.
    const mail = [block('notification_email', ['ops@example.org']), 'notification_email_from vigil@a.example.org', `smtp_server ${b.ipv4} 2599`, 'smtp_connect_timeout 5', 'smtp_alert'];
    const aConf = block('global_defs', ['router_id snmpres-mail', ...mail]) + vrrpInstance('VI_1', { state: 'MASTER', vrid: 94, priority: 150, lines: ['advert_int 1'], vips: [`${VIP}/24`] });
    const bConf = block('global_defs', ['router_id snmpres-b']) + vrrpInstance('VI_1', { state: 'BACKUP', vrid: 94, priority: 100, lines: ['advert_int 1'], vips: [`${VIP}/24`] });
    const backup = startDaemon(lan, b, 'vigil', bConf);
    const vigil = startDaemon(lan, a, 'vigil', aConf);
    daemons.push(backup, vigil);
    const logs = () => daemons.map((d) => `--- ${d.host.name}\n${d.log().slice(-3000)}`).join('\n');
    const status = async () => JSON.parse((await lan.exec(a.ns, [VIGIL, 'status', '--json', '--socket', vigil.statusSocket])).stdout) as EmailStatus;

    await eventually(async () => (await holders(lan, [a, b], VIP)).join() === 'a', 30_000, logs, 250);
    // Every alert given up (1 + 3 tries, 2 + 4 + 8 s apart), none waiting.
    let last: EmailStatus = {};
    await eventually(
      async () => {
        last = await status();
        return (last.email?.failed ?? 0) >= 1 && last.email?.queued === 0;
      },
      60_000,
      () => `${JSON.stringify(last)}\n${logs()}`,
      500,
    );
    await delay(3_000);
    const email = (await status()).email!;
    const lines = vigil.log().split('\n').filter((l) => l.includes('e-mail'));
    const retried = lines.filter((l) => /"level":40/.test(l) && /failed \(.*ECONNREFUSED.*\); retrying in (2|4|8) s/.test(l));
    const givenUp = lines.filter((l) => /"level":50/.test(l) && /not sent after 4 tries: .*ECONNREFUSED/.test(l));
    assert.equal(email.sent, 0);
    assert.equal(email.queued, 0);
    assert.equal(givenUp.length, email.failed, lines.join('\n'));
    assert.equal(retried.length, 3 * email.failed, lines.join('\n'));
    assert.equal(lines.length, 4 * email.failed, `no other e-mail lines:\n${lines.join('\n')}`);

    // Neither the start nor VRRP suffered.
    assert.equal(vigil.proc.exitCode, null, 'vigil runs');
    assert.deepEqual(await holders(lan, [a, b], VIP), ['a']);
    const vi1 = (await vigilStatus(lan, backup)).instances.find((i) => i.name === 'VI_1')!;
    assert.equal(vi1.state, 'BACKUP');
    assert.equal((vi1.counters as { become_master?: number }).become_master ?? 0, 0, 'b never took over');
    assert.ok(vi1.counters.adverts_received >= 10, `b heard a all along (${vi1.counters.adverts_received} adverts)`);
  } finally {
    await lan.cleanup();
    for (const d of daemons) cleanupDir(d);
  }
});
