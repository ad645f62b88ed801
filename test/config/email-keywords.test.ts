/**
 * The e-mail keywords of global_defs read as keepalived 2.2.7 reads them (global_parser.c): smtp_server with its
 * port, smtp_connect_timeout from 0 (taken as 1, with a warning) to UINT_MAX / TIMER_HZ, notification_email as a
 * block of addresses; and mailSettings' defaults when they are left out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorsOf, MAIN, parse, parserWarningsOf } from './helpers.js';
import { mailSettings } from '../../actors/mail/mail-settings.js';

const host = { hostName: 'lb1.example.org', userName: 'keepalived' };

test('smtp_connect_timeout 0 is 1 with a warning; past 4294 s is an error; 30 when left out', () => {
  const zero = parse('global_defs {\n  smtp_connect_timeout 0\n}\n');
  assert.equal(zero.config.globalDefs.smtpConnectTimeout, 1);
  assert.deepEqual(parserWarningsOf(zero), [`${MAIN}:2: smtp_connect_timeout must be greater than 0, setting to 1`]);
  const big = parse('global_defs {\n  smtp_connect_timeout 4295\n}\n');
  assert.deepEqual(errorsOf(big), [`${MAIN}:2: smtp_connect_timeout: '4295' is not an integer from 0 to 4294`]);
  assert.equal(parse('global_defs {\n  smtp_connect_timeout 4294\n}\n').config.globalDefs.smtpConnectTimeout, 4294);
  assert.equal(parse('global_defs {\n}\n').config.globalDefs.smtpConnectTimeout, 30);
});

test('mail settings: none without notification_email or smtp_server; keepalived defaults; overrides', () => {
  const emails = '  notification_email {\n    a@example.org b@example.org\n    c@example.org\n  }\n';
  assert.equal(mailSettings(parse(`global_defs {\n${emails}}\n`).config, host), undefined);
  assert.equal(mailSettings(parse('global_defs {\n  smtp_server 192.0.2.25\n}\n').config, host), undefined);
  const defaults = mailSettings(parse(`global_defs {\n${emails}  smtp_server 192.0.2.25\n}\n`).config, host)!;
  assert.deepEqual(
    { routerId: defaults.routerId, server: defaults.server, helo: defaults.helo, from: defaults.from, to: defaults.to, timeoutMs: defaults.timeoutMs },
    { routerId: 'lb1.example.org', server: { host: '192.0.2.25', port: 25 }, helo: 'lb1.example.org', from: 'keepalived@lb1.example.org', to: ['a@example.org', 'b@example.org', 'c@example.org'], timeoutMs: 30_000 },
  );
  const given = mailSettings(
    parse(`global_defs {\n  router_id lb-a\n${emails}  notification_email_from f@example.org\n  smtp_server mail.example.org 2525\n  smtp_helo_name h.example.org\n  smtp_connect_timeout 7\n  no_email_faults\n  no_checker_emails\n}\n`).config,
    host,
  )!;
  assert.deepEqual(
    { routerId: given.routerId, server: given.server, helo: given.helo, from: given.from, timeoutMs: given.timeoutMs, noEmailFaults: given.noEmailFaults, noCheckerEmails: given.noCheckerEmails },
    { routerId: 'lb-a', server: { host: 'mail.example.org', port: 2525 }, helo: 'h.example.org', from: 'f@example.org', timeoutMs: 7000, noEmailFaults: true, noCheckerEmails: true },
  );
});
