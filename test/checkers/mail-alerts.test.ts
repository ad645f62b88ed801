/**
 * The checker side's e-mail alerts, as keepalived's checkers and ipwrapper.c send them, on simulated real servers
 * and the virtual clock: a checker going down or up mails its text with its real server's state in the subject
 * (with two checkers, the second one's failure leaves the real server DOWN: mailed unless no_checker_emails); an
 * alpha checker's first success mails; the quorum mails with its numbers; omega's shutdown mails "Shutting down";
 * smtp_alert off on a real server keeps it quiet.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { SimulatedProber, type SimFault, type SimServerState } from '../../sim/simulated-prober.js';
import { SimulatedBackend } from '../../sim/simulated-backend.js';
import { InProcessCheckerHost } from '../../actors/checks/checker-host.js';
import { NodeChecks } from '../../actors/lvs/node-checks.js';
import type { NodeEnvironment } from '../../actors/environment.js';
import { loadConfigText } from '../../config/load.js';
import { ScriptRunner } from '../../actors/scripts/script-runner.js';
import { SimulatedProcessRunner } from '../../sim/simulated-process-runner.js';
import type { Alert } from '../../protocol/alert-mail.js';

const up: SimServerState = { mode: 'up', latencyMs: 0 };
const refuse: SimServerState = { mode: 'refuse', latencyMs: 0 };

function world(text: string, servers: Readonly<Record<string, SimServerState>>, faults: readonly SimFault[], noCheckerEmails = false) {
  const { config } = loadConfigText(text, '/cfg/keepalived.conf');
  const clock = new VirtualClock();
  const log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  const env = { clock, log } as unknown as NodeEnvironment;
  const host = new InProcessCheckerHost({ clock, random: new SeededRandom(1).fork('checkers'), prober: new SimulatedProber(clock, servers, faults) });
  const checks = new NodeChecks(env, config, { host, backend: new SimulatedBackend(clock), immediateApply: true });
  const alerts: string[] = [];
  const mail = { routerId: 'lb', noCheckerEmails, send: (a: Alert) => alerts.push(`${clock.now()} ${a.subject} | ${a.body}`) };
  void checks.start(new Set(), { runner: new ScriptRunner(new SimulatedProcessRunner(clock), log), mail });
  return { clock, checks, alerts };
}

const servers = (body: string, global = 'smtp_alert') => `global_defs {
  ${global}
}
virtual_server 192.168.77.100 80 {
  protocol TCP
  delay_loop 5
  retry 0
  connect_timeout 1
  warmup 0
${body}
}
`;

const RS1 = '[192.168.77.11]:tcp:80 of virtual server [192.168.77.100]:tcp:80';

const RS2 = '[192.168.77.12]:tcp:80 of virtual server [192.168.77.100]:tcp:80';
const VS = '[lb] Virtualserver [192.168.77.100]:tcp:80';

test('a checker down then up: the quorum first, then its TCP_CHECK text with the real server DOWN, then UP', () => {
  const w = world(servers('  real_server 192.168.77.11 80 {\n    TCP_CHECK {\n    }\n  }'), { '192.168.77.11': up }, [
    { atMs: 7_000, target: '192.168.77.11', state: refuse },
    { atMs: 17_000, target: '192.168.77.11', state: up },
  ]);
  w.clock.runUntil(25_000);
  // keepalived's order too: update_svr_checker_state (the quorum's alert) before the checker's own.
  assert.deepEqual(w.alerts, [
    `11000 ${VS} - DOWN | => Lost quorum 1+0=1 <= 0 <=`,
    `11000 [lb] Realserver ${RS1} - DOWN | => TCP CHECK failed on service <=`,
    `21000 ${VS} - UP | => Gained quorum 1+0=1 <= 1 <=`,
    `21000 [lb] Realserver ${RS1} - UP | => TCP CHECK succeed on service <=`,
  ]);
});

/** One real server with two TCP_CHECKs (ports 80 and 81) and one more real server keeping the quorum. */
const TWO_CHECKERS = servers(
  '  real_server 192.168.77.11 80 {\n    TCP_CHECK {\n    }\n    TCP_CHECK {\n      connect_port 81\n    }\n  }\n  real_server 192.168.77.12 80 {\n    TCP_CHECK {\n    }\n  }',
);
const FLAPS: SimFault[] = [
  { atMs: 7_000, target: '192.168.77.11:81', state: refuse },
  { atMs: 17_000, target: '192.168.77.11:80', state: refuse },
  { atMs: 27_000, target: '192.168.77.11:81', state: up },
];
const TWO_UP = { '192.168.77.11:80': up, '192.168.77.11:81': up, '192.168.77.12': up };

test("two checkers: the subject says the real server's state; no_checker_emails keeps only the alerts that changed it", () => {
  const all = world(TWO_CHECKERS, TWO_UP, FLAPS);
  all.clock.runUntil(35_000);
  assert.deepEqual(all.alerts, [
    `11000 [lb] Realserver ${RS1} - DOWN | => TCP CHECK failed on service <=`,
    `21000 [lb] Realserver ${RS1} - DOWN | => TCP CHECK failed on service <=`,
    `31000 [lb] Realserver ${RS1} - DOWN | => TCP CHECK succeed on service <=`,
  ]);
  const changes = world(TWO_CHECKERS, TWO_UP, FLAPS, true);
  changes.clock.runUntil(35_000);
  assert.deepEqual(changes.alerts, [`11000 [lb] Realserver ${RS1} - DOWN | => TCP CHECK failed on service <=`]);
});

test("alpha: the first success mails (the checker started down); a real server's smtp_alert off keeps it quiet", () => {
  const w = world(
    servers('  alpha\n  real_server 192.168.77.11 80 {\n    TCP_CHECK {\n    }\n  }\n  real_server 192.168.77.12 80 {\n    smtp_alert off\n    TCP_CHECK {\n    }\n  }', 'smtp_alert_checker on'),
    { '192.168.77.11': up, '192.168.77.12': up },
    [],
  );
  w.clock.runUntil(3_000);
  assert.ok(w.alerts.includes(`1000 [lb] Realserver ${RS1} - UP | => TCP CHECK succeed on service <=`), JSON.stringify(w.alerts));
  assert.ok(!w.alerts.some((a) => a.includes(RS2)), JSON.stringify(w.alerts));
});

test('omega: stopping mails each live real server and the virtual server "Shutting down"; without smtp_alert nothing at all', async () => {
  const text = servers('  omega\n  real_server 192.168.77.11 80 {\n    TCP_CHECK {\n    }\n  }');
  const w = world(text, { '192.168.77.11': up }, []);
  w.clock.runUntil(3_000);
  assert.equal(w.alerts.length, 0, 'the first successes say nothing');
  const stopping = w.checks.stop(true);
  w.clock.runUntil(4_000);
  await stopping;
  assert.deepEqual(w.alerts.map((a) => a.replace(/^\d+ /, '')), [`[lb] Realserver ${RS1} - DOWN | => Shutting down <=`, `${VS} - DOWN | => Shutting down <=`]);

  const quiet = world(text.replace('smtp_alert', 'smtp_alert off'), { '192.168.77.11': refuse }, []);
  quiet.clock.runUntil(10_000);
  const stopped = quiet.checks.stop(true);
  quiet.clock.runUntil(11_000);
  await stopped;
  assert.deepEqual(quiet.alerts, []);
});

test('MISC_CHECK mails its first result even when it is the state it started in (check_misc.c), unless no_checker_emails', () => {
  const text = servers('  real_server 192.168.77.11 80 {\n    MISC_CHECK {\n      misc_path /usr/local/bin/check-web\n    }\n  }');
  const w = world(text, { 'misc:/usr/local/bin/check-web': up }, [{ atMs: 7_000, target: 'misc:/usr/local/bin/check-web', state: refuse }]);
  w.clock.runUntil(15_000);
  assert.deepEqual(
    w.alerts.filter((a) => a.includes('Realserver')).map((a) => a.replace(/^\d+ /, '')),
    [`[lb] Realserver ${RS1} - UP | => MISC CHECK succeeded on service <=`, `[lb] Realserver ${RS1} - DOWN | => MISC CHECK failed on service <=`],
  );
  const quiet = world(text, { 'misc:/usr/local/bin/check-web': up }, [], true);
  quiet.clock.runUntil(15_000);
  assert.equal(quiet.alerts.length, 0);
});

test('a reload that drops a live real server, or its virtual server, mails "=> Removing <=" for it', () => {
  const two = '  real_server 192.168.77.11 80 {\n    TCP_CHECK {\n    }\n  }\n  real_server 192.168.77.12 80 {\n    TCP_CHECK {\n    }\n  }';
  const w = world(servers(two), { '192.168.77.11': up, '192.168.77.12': refuse }, []);
  w.clock.runUntil(5_000);
  const before = w.alerts.length;
  // .12 is down already: only .11, alive, is mailed about when the reload drops both.
  w.checks.mailRemovals(loadConfigText(servers('  real_server 192.168.77.13 80 {\n    TCP_CHECK {\n    }\n  }'), '/cfg/keepalived.conf').config);
  assert.deepEqual(w.alerts.slice(before).map((a) => a.replace(/^\d+ /, '')), [`[lb] Realserver ${RS1} - DOWN | => Removing <=`]);
  // Kept: nothing.
  w.checks.mailRemovals(loadConfigText(servers(two), '/cfg/keepalived.conf').config);
  assert.equal(w.alerts.length, before + 1);
  // The virtual server gone.
  w.checks.mailRemovals(loadConfigText('global_defs {\n  smtp_alert\n}\n', '/cfg/keepalived.conf').config);
  assert.equal(w.alerts.length, before + 2);
});
