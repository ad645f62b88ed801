/**
 * config/finalize-lvs.ts: what keepalived's check_data.c and checker end handlers do to a virtual server once it
 * is read — scripts that make no command, and the defaults every later stage relies on.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { errorsOf, MAIN, parse, warningsOf } from './helpers.js';

const at = (line: number, message: string): string => `${MAIN}:${line}: ${message}`;

/** A virtual server on 10.0.0.1:80 (protocol, lb_algo and lb_kind given) around `body`. */
function vs(body: string): string {
  return `virtual_server 10.0.0.1 80 {\n  protocol TCP\n  lb_algo rr\n  lb_kind NAT\n${body}\n}\n`;
}

test('a misc_path that makes no command drops the MISC_CHECK, as keepalived does', () => {
  const r = parse(`global_defs {\n  enable_script_security\n}\n${vs(`  real_server 10.0.0.2 80 {\n    MISC_CHECK {\n      misc_path "/bin/check 'unterminated"\n    }\n  }`)}`);
  assert.deepEqual(errorsOf(r), [
    at(9, `virtual_server 10.0.0.1:80 real_server 10.0.0.2:80: MISC_CHECK misc_path '/bin/check 'unterminated' is not a command (missing terminating ') - checker ignored`),
  ]);
  assert.equal(r.config.virtualServers[0]!.realServers[0]!.checkers.length, 0);
});

test('notify and quorum scripts that make no command are dropped with their line', () => {
  const r = parse(
    `global_defs {\n  enable_script_security\n}\n${vs(`  quorum_up ""\n  quorum_down "/bin/down 'x"\n  real_server 10.0.0.2 80 {\n    notify_up " "\n    notify_down /bin/rs-down\n  }`)}`,
  );
  assert.deepEqual(errorsOf(r), [at(4, `virtual_server 10.0.0.1:80 quorum_down: cannot split '/bin/down 'x' into a command (missing terminating ') - ignoring it`)]);
  assert.deepEqual(warningsOf(r), [
    at(10, `virtual_server 10.0.0.1:80 real_server 10.0.0.2:80 notify_up: cannot split ' ' into a command (no command) - ignoring it`),
    at(4, `virtual_server 10.0.0.1:80 quorum_up: cannot split '' into a command (no command) - ignoring it`),
  ]);
  const v = r.config.virtualServers[0]!;
  assert.deepEqual([v.quorumUp, v.quorumDown], [undefined, undefined]);
  assert.deepEqual([v.realServers[0]!.notifyUp, v.realServers[0]!.notifyDown], [undefined, { command: '/bin/rs-down' }]);
});
