/**
 * The configuration as the daemon runs it (actors/scripts/runnable-scripts.ts), judged against a made-up host with
 * the code of `config test`: every script with the user and group it runs as (its own `user [group]` at every level,
 * else script_user, else keepalived_script, else root), and none of those keepalived would not run, each said once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FileInfo, HostFacts } from '../../config/host-facts.js';
import { iproute2Names } from '../../config/iproute2-names.js';
import { runnableScripts } from '../../actors/scripts/runnable-scripts.js';
import { parse } from '../config/helpers.js';

const dir = (mode = 0o755): FileInfo => ({ kind: 'directory', uid: 0, gid: 0, mode, id: `d${mode}` });
const file = (mode = 0o755): FileInfo => ({ kind: 'file', uid: 0, gid: 0, mode, id: `f${mode}` });

/** / /etc /etc/vigil (secure), /srv (world-writable, no sticky bit), scripts in both; users root, nobody, keepalived_script (when asked). */
function host(o: { keepalivedScript?: boolean } = {}): HostFacts {
  const files: Record<string, FileInfo> = {
    '/': dir(),
    '/etc': dir(),
    '/etc/vigil': dir(),
    '/etc/vigil/ok.sh': file(),
    '/etc/vigil/plain.txt': file(0o644),
    '/srv': dir(0o777),
    '/srv/open.sh': file(),
  };
  const users: Record<string, { uid: number; gid: number }> = { root: { uid: 0, gid: 0 }, nobody: { uid: 65534, gid: 65534 } };
  if (o.keepalivedScript) users['keepalived_script'] = { uid: 990, gid: 991 };
  const groups: Record<string, number> = { root: 0, nogroup: 65534, daemon: 1 };
  return {
    interfaces: undefined,
    names: iproute2Names({ read: () => undefined, list: () => [] }),
    user: (name) => users[name],
    group: (name) => groups[name],
    stat: (p) => files[p],
    lstat: (p) => files[p],
    realpath: (p) => (files[p] ? p : undefined),
    searchPath: ['/usr/bin'],
  };
}

const INSTANCE = (body: string) => `vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 100
  virtual_ipaddress {
    192.0.2.10/24
  }
${body}
}
`;

function run(text: string, h: HostFacts | 'no host' = host()) {
  const parsed = parse(text);
  assert.deepEqual(parsed.errors, [], 'the configuration parses');
  return runnableScripts(parsed.config, h === 'no host' ? undefined : h);
}

test('every script carries the ids it runs as: its own user and group, else script_user, at every level', () => {
  const text = `global_defs {
  script_user nobody
  enable_script_security
  notify_fifo /run/vigil/fifo root
  notify_fifo_script /etc/vigil/ok.sh
  startup_script /etc/vigil/ok.sh root daemon
}
vrrp_script chk {
  script /etc/vigil/ok.sh
  user nobody daemon
}
vrrp_sync_group G {
  group {
    VI_1
  }
  notify "/etc/vigil/ok.sh group" root
}
${INSTANCE(`  track_script {
    chk
  }
  notify_master "/etc/vigil/ok.sh master" nobody daemon
  notify /etc/vigil/ok.sh`)}
virtual_server 192.0.2.10 80 {
  quorum_up /etc/vigil/ok.sh root
  real_server 192.0.2.21 80 {
    notify_up /etc/vigil/ok.sh nobody
    MISC_CHECK {
      misc_path /etc/vigil/ok.sh
    }
  }
}
`;
  const { config, refused } = run(text);
  assert.deepEqual(refused, []);
  const ids = (s: { user?: string | undefined; group?: string | undefined } | undefined) => (s ? `${s.user}:${s.group}` : 'none');
  const g = config.globalDefs;
  const vi = config.vrrpInstances[0]!;
  const rs = config.virtualServers[0]!.realServers[0]!;
  const misc = rs.checkers[0]!;
  assert.deepEqual(
    {
      notifyFifo: ids(g.notifyFifo),
      notifyFifoScript: ids(g.notifyFifoScript),
      startup: ids(g.startupScript),
      vrrpScript: ids(config.vrrpScripts[0]),
      group: ids(config.vrrpSyncGroups[0]!.notify),
      master: ids(vi.notifyMaster),
      notify: ids(vi.notify),
      quorumUp: ids(config.virtualServers[0]!.quorumUp),
      notifyUp: ids(rs.notifyUp),
      misc: misc.type === 'MISC_CHECK' ? ids(misc) : 'not misc',
    },
    {
      notifyFifo: '0:0',
      notifyFifoScript: '65534:65534',
      startup: '0:1',
      // keepalived honours the group a vrrp_script names (it used to be ignored).
      vrrpScript: '65534:1',
      group: '0:0',
      master: '65534:1',
      notify: '65534:65534',
      quorumUp: '0:0',
      notifyUp: '65534:65534',
      misc: '65534:65534',
    },
  );
  assert.equal(vi.notifyMaster?.command, '/etc/vigil/ok.sh master', 'the command line itself is untouched');
});

test('what keepalived would not run is left out and said once, with its line: never run as root instead', () => {
  const text = `global_defs {
  enable_script_security
  script_user root
}
vrrp_script open {
  script /srv/open.sh
}
vrrp_script ok {
  script /etc/vigil/ok.sh
}
${INSTANCE(`  track_script {
    open
    ok
  }
  notify_master /etc/vigil/ok.sh nosuchuser
  notify_backup /etc/vigil/missing.sh
  notify_fault /etc/vigil/plain.txt
  notify_stop /srv/open.sh
  notify_deleted /srv/open.sh`)}
virtual_server 192.0.2.10 80 {
  real_server 192.0.2.21 80 {
    MISC_CHECK {
      misc_path /etc/vigil/ok.sh
      user nosuchuser
    }
    TCP_CHECK {
      connect_timeout 1
    }
  }
}
`;
  const { config, refused } = run(text);
  assert.deepEqual(refused, [
    '/cfg/keepalived.conf:5: vrrp_script open: /srv/open.sh is insecure: /srv can be changed by a user other than root (enable_script_security refuses that); the script does not run',
    '/cfg/keepalived.conf:22: vrrp_instance VI_1: notify_master: user nosuchuser does not exist; the script does not run',
    '/cfg/keepalived.conf:23: vrrp_instance VI_1: notify_backup: /etc/vigil/missing.sh not found; the script does not run',
    '/cfg/keepalived.conf:24: vrrp_instance VI_1: notify_fault: /etc/vigil/plain.txt is not executable by uid 0; the script does not run',
    '/cfg/keepalived.conf:25: vrrp_instance VI_1: notify_stop: /srv/open.sh is insecure: /srv can be changed by a user other than root (enable_script_security refuses that); the script does not run',
    '/cfg/keepalived.conf:26: vrrp_instance VI_1: notify_deleted: /srv/open.sh is insecure: /srv can be changed by a user other than root (enable_script_security refuses that); the script does not run',
    '/cfg/keepalived.conf:31: real_server 192.0.2.21 80: MISC_CHECK: user nosuchuser does not exist; the script does not run',
  ]);
  const vi = config.vrrpInstances[0]!;
  assert.deepEqual(config.vrrpScripts.map((s) => s.name), ['ok']);
  // The instance no longer tracks the refused script (keepalived removes it from the instance).
  assert.deepEqual(vi.trackScripts.map((t) => t.name), ['ok']);
  assert.deepEqual([vi.notifyMaster, vi.notifyBackup, vi.notifyFault, vi.notifyStop], [undefined, undefined, undefined, undefined]);
  // notify_deleted itself stays on: DELETED is still what the notify script and the FIFO are told.
  assert.equal(vi.notifyDeleted, true);
  assert.deepEqual(config.virtualServers[0]!.realServers[0]!.checkers.map((c) => c.type), ['TCP_CHECK']);
});

test('the default script user: keepalived_script when it exists, else root, which enable_script_security refuses', () => {
  const text = (security: boolean) => `global_defs {
${security ? '  enable_script_security\n' : ''}  notify_fifo /run/vigil/fifo
}
${INSTANCE('  notify_master /etc/vigil/ok.sh')}`;
  const withUser = run(text(true), host({ keepalivedScript: true }));
  assert.deepEqual(withUser.refused, []);
  assert.equal(withUser.config.vrrpInstances[0]!.notifyMaster?.user, '990');
  const asRoot = run(text(false));
  assert.deepEqual(asRoot.refused, []);
  assert.deepEqual([asRoot.config.vrrpInstances[0]!.notifyMaster?.user, asRoot.config.globalDefs.notifyFifo?.user], ['0', '0']);
  const refused = run(text(true));
  assert.equal(refused.config.vrrpInstances[0]!.notifyMaster, undefined);
  assert.equal(refused.config.globalDefs.notifyFifo, undefined);
  assert.deepEqual(refused.refused, [
    '/cfg/keepalived.conf:3: notify_fifo: no script_user, no user keepalived_script on this host, and enable_script_security will not run scripts as root; the FIFO is not used',
    '/cfg/keepalived.conf:12: vrrp_instance VI_1: notify_master: no script_user, no user keepalived_script on this host, and enable_script_security will not run scripts as root; the script does not run',
  ]);
  // An unknown script_user: the scripts without a user of their own do not run (not as root either).
  const unknown = run(`global_defs {\n  script_user nosuchuser\n}\n${INSTANCE('  notify_master /etc/vigil/ok.sh')}`);
  assert.equal(unknown.config.vrrpInstances[0]!.notifyMaster, undefined);
  assert.match(unknown.refused[0]!, /notify_master: script_user: user nosuchuser does not exist; the script does not run/);
});

test('no host to judge against (the simulator): nothing refused, every script runs as this process', () => {
  const { config, refused } = run(`vrrp_script chk {\n  script /srv/open.sh\n  user nosuchuser\n}\n${INSTANCE('  track_script {\n    chk\n  }\n  notify_master /x.sh nobody')}`, 'no host');
  assert.deepEqual(refused, []);
  assert.deepEqual([config.vrrpScripts[0]!.user, config.vrrpInstances[0]!.notifyMaster?.user], [undefined, undefined]);
});
