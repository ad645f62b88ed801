/**
 * config/finalize-lvs.ts: what keepalived's check_data.c and checker end handlers do to a virtual server once it
 * is read — scripts that make no command, and the defaults every later stage relies on.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { dumpConfig } from '../../config/dump.js';
import { errorsOf, MAIN, parse, parserWarningsOf, positionless, warningsOf } from './helpers.js';

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
  assert.deepEqual(parserWarningsOf(r), [
    at(10, `virtual_server 10.0.0.1:80 real_server 10.0.0.2:80 notify_up: cannot split ' ' into a command (no command) - ignoring it`),
    at(4, `virtual_server 10.0.0.1:80 quorum_up: cannot split '' into a command (no command) - ignoring it`),
  ]);
  const v = r.config.virtualServers[0]!;
  assert.deepEqual([v.quorumUp, v.quorumDown], [undefined, undefined]);
  assert.deepEqual(positionless([v.realServers[0]!.notifyUp, v.realServers[0]!.notifyDown]), [undefined, { command: '/bin/rs-down' }]);
});

test('every checker default is in the model once finalized, and `config dump --json` shows it', () => {
  const r = parse(
    vs(
      [
        '  delay_loop 7',
        '  real_server 10.0.0.2 {',
        '    HTTP_GET {\n      url {\n        path /\n      }\n    }',
        '    SMTP_CHECK {\n    }',
        '    MISC_CHECK {\n      misc_path /bin/true\n      delay_loop 3\n    }',
        '    FILE_CHECK {\n      track_file tf\n    }',
        '  }',
      ].join('\n'),
    ).replace('virtual_server', 'global_defs {\n  enable_script_security\n}\ntrack_file tf {\n  file /run/tf\n  weight 4 reverse\n}\nvirtual_server'),
  );
  assert.deepEqual(errorsOf(r), []);
  const rs = r.config.virtualServers[0]!.realServers[0]!;
  // real_server without a port on an address service: the service's port.
  assert.equal(rs.port, 80);
  const [http, smtp, misc, file] = rs.checkers;
  assert.ok(http?.type === 'HTTP_GET' && smtp?.type === 'SMTP_CHECK' && misc?.type === 'MISC_CHECK' && file?.type === 'FILE_CHECK');
  assert.equal(http.httpProtocol, '1.0');
  assert.equal(smtp.heloName, 'smtpchecker.keepalived.org');
  // keepalived check_misc.c: misc_timeout defaults to the virtual server's delay_loop, not the checker's.
  assert.deepEqual([misc.delayLoop, misc.miscTimeout], [3, 7]);
  // FILE_CHECK is read every delay_loop of its real server, first after its warmup (default: delay_loop).
  assert.deepEqual([file.weight, file.weightReverse, file.delayLoop, file.warmup], [4, true, 7, 7]);
  const dumped = JSON.stringify(dumpConfig(r.config));
  for (const shown of ['"http_protocol":"1.0"', '"helo_name":"smtpchecker.keepalived.org"', '"misc_timeout":7']) assert.ok(dumped.includes(shown), shown);
});

test("UDP_CHECK without a payload: keepalived's 32 bytes are in the finalized model (layer4.c set_buf), a configured one stays", () => {
  const r = parse(vs('  real_server 10.0.0.2 {\n    UDP_CHECK {\n    }\n    UDP_CHECK {\n      payload 0a0b\n    }\n  }'));
  assert.deepEqual(errorsOf(r), []);
  const [plain, given] = r.config.virtualServers[0]!.realServers[0]!.checkers;
  assert.ok(plain?.type === 'UDP_CHECK' && given?.type === 'UDP_CHECK');
  assert.equal(Buffer.from(plain.payload, 'hex').toString('latin1'), 'keepalived check - keepalived ch');
  assert.equal(given.payload, '0a0b');
});

test("a sorry server without a port serves on the virtual server's; a fwmark service keeps port 0", () => {
  const r = parse(`${vs('  sorry_server 10.0.0.9\n  real_server 10.0.0.2 8080 {\n  }')}virtual_server fwmark 5 {\n  lb_algo rr\n  lb_kind DR\n  sorry_server 10.0.0.9\n  real_server 10.0.0.3 {\n  }\n}\n`);
  assert.deepEqual(errorsOf(r), []);
  const [byAddress, byMark] = r.config.virtualServers;
  assert.equal(byAddress!.sorryServer!.port, 80);
  assert.equal(byAddress!.realServers[0]!.port, 8080);
  assert.equal(byMark!.sorryServer!.port, 0);
  assert.equal(byMark!.realServers[0]!.port, 0);
  const twice = parse(vs('  real_server 10.0.0.2 {\n  }\n  real_server 10.0.0.2 80 {\n  }'));
  assert.deepEqual(errorsOf(twice), [at(7, 'virtual_server 10.0.0.1:80: real_server 10.0.0.2:80 is given twice - ignoring the second')]);
});

test('lb_algo twos is the IPVS scheduler twos (test/lb/ipvs-messages.test.ts has its bytes)', () => {
  const r = parse(vs('  lb_algo twos\n  real_server 10.0.0.2 80 {\n  }'));
  assert.deepEqual(warningsOf(r), []);
  assert.equal(r.config.virtualServers[0]!.lbAlgo, 'twos');
});

test('the same virtual server twice is an error and the second is ignored; TCP and UDP on one address are two', () => {
  const twice = parse(`${vs('  real_server 10.0.0.2 80 {\n  }')}${vs('  real_server 10.0.0.3 80 {\n  }')}`);
  assert.deepEqual(errorsOf(twice), [at(8, 'virtual_server 10.0.0.1:80: the same virtual server is given twice - ignoring the second')]);
  assert.deepEqual(twice.config.virtualServers.map((v) => v.realServers[0]!.ip), ['10.0.0.2']);
  const both = parse(`${vs('')}${vs('').replace('protocol TCP', 'protocol UDP')}`);
  assert.deepEqual(errorsOf(both), []);
  assert.deepEqual(both.config.virtualServers.map((v) => v.protocol), ['TCP', 'UDP']);
});

test('a virtual_server_group range of more than 65536 addresses is an error: each address would be a service', () => {
  const r = parse(`virtual_server_group G {\n  fd00::/64 80\n}\nvirtual_server group G {\n  protocol TCP\n  lb_algo rr\n  lb_kind NAT\n}\n`);
  assert.deepEqual(errorsOf(r), [at(4, "virtual_server group G: virtual_server_group 'G' range fd00::-fd00::ffff:ffff:ffff:ffff holds more than 65536 addresses - virtual server ignored")]);
  assert.equal(r.config.virtualServers.length, 0);
  const fine = parse(`virtual_server_group G {\n  10.0.0.0/16 80\n}\nvirtual_server group G {\n  protocol TCP\n  lb_algo rr\n  lb_kind NAT\n}\n`);
  assert.deepEqual(errorsOf(fine), []);
});
