/**
 * `vigil run --strict`: a keyword vigil accepts but does not implement (a warning otherwise, logged at start) makes
 * the daemon refuse to start, and refuse a reload (the running configuration stays). Simulated transports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { ConfigLoadError } from '../../config/load.js';
import { simulatedDaemon } from './simulated-daemon.js';

const CONFIG = (extra: string): string => `vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        192.168.77.100/24 dev eth0
    }
${extra}
}
`;

test('strict: a keyword vigil does not implement refuses the start; without strict it is logged and the daemon runs', async () => {
  const lenient = simulatedDaemon(CONFIG('    vrf blue'), { options: { strict: false } });
  try {
    await lenient.daemon.start();
    assert.deepEqual(lenient.warnings, [`${lenient.file}:8: vrrp_instance vrf is accepted but not implemented by vigil`]);
    assert.equal(lenient.daemon.status().instances.length, 1);
  } finally {
    await lenient.close();
  }
  const strict = simulatedDaemon(CONFIG('    vrf blue'), { options: { strict: true } });
  try {
    await assert.rejects(strict.daemon.start(), (err: unknown) => err instanceof ConfigLoadError && err.message === `${strict.file}:8: vrrp_instance vrf is accepted but not implemented by vigil`);
  } finally {
    strict.remove();
  }
});

test('strict: a reload that brings in a keyword vigil does not implement is rejected, the running configuration stays', async () => {
  const strict = simulatedDaemon(CONFIG(''), { options: { strict: true } });
  try {
    await strict.daemon.start();
    writeFileSync(strict.file, CONFIG('    priority 120\n    vrf blue'));
    const result = await strict.daemon.reload();
    assert.deepEqual(result, { ok: false, error: `${strict.file}:9: vrrp_instance vrf is accepted but not implemented by vigil` });
    assert.equal(strict.daemon.status().instances[0]!.priority, 100);
  } finally {
    await strict.close();
  }
});
