/**
 * One contract for probers, run on the real prober (local servers) and on the simulated one (virtual clock), so
 * the simulator's servers behave like real ones: an answering server succeeds before the timeout, a refusing one
 * fails before the timeout, a silent one fails at the timeout; a probe never throws.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RealProber } from '../../transport/real/probers/real-prober.js';
import { SimulatedProber } from '../../sim/simulated-prober.js';
import type { ProbeResult, ProbeSpec } from '../../transport/prober.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { startHttp, startTcp, type Restartable } from './local-servers.js';

type Behaviour = 'answers' | 'refuses' | 'silent';

interface Rig {
  readonly name: string;
  spec(behaviour: Behaviour, timeoutMs: number): ProbeSpec;
  probe(spec: ProbeSpec): Promise<ProbeResult>;
  close(): Promise<void>;
}

function httpSpec(port: number, timeoutMs: number): ProbeSpec {
  return {
    kind: 'http',
    tls: false,
    target: { host: '127.0.0.1', port },
    timeoutMs,
    httpProtocol: '1.0',
    urls: [{ path: '/', statusCodes: [[200, 299]], host: 'contract' }],
  };
}

async function realRig(): Promise<Rig> {
  const web = await startHttp((_q, r) => r.end('ok'));
  const mute = await startTcp(); // accepts, never answers
  const closed: Restartable = await startTcp();
  await closed.stop(); // nothing listens: refused
  const prober = new RealProber();
  return {
    name: 'real',
    spec: (b, t) => httpSpec(b === 'answers' ? web.port : b === 'silent' ? mute.port : closed.port, t),
    probe: (s) => prober.probe(s),
    async close() {
      prober.close();
      await web.close();
      await mute.close();
    },
  };
}

function simRig(): Rig {
  const clock = new VirtualClock();
  const prober = new SimulatedProber(clock, {
    '10.0.0.1': { mode: 'up', latencyMs: 3 },
    '10.0.0.2': { mode: 'refuse', latencyMs: 1 },
    '10.0.0.3': { mode: 'silent' },
  });
  return {
    name: 'simulated',
    spec: (b, t) => ({ ...httpSpec(80, t), target: { host: b === 'answers' ? '10.0.0.1' : b === 'refuses' ? '10.0.0.2' : '10.0.0.3', port: 80 } }),
    async probe(s) {
      const result = prober.probe(s);
      clock.runFor((s.kind === 'file' ? 0 : s.timeoutMs) + 1);
      return result;
    },
    async close() {},
  };
}

for (const make of [realRig, async () => simRig()]) {
  test(`prober contract (${make === realRig ? 'real' : 'simulated'}): answers, refusals and silence`, async () => {
    const rig = await make();
    try {
      const ok = await rig.probe(rig.spec('answers', 1000));
      assert.equal(ok.ok, true, ok.detail);
      assert.ok(ok.latencyMs >= 0 && ok.latencyMs < 1000);

      const refused = await rig.probe(rig.spec('refuses', 1000));
      assert.equal(refused.ok, false);
      assert.ok(refused.latencyMs < 1000, 'a refusal is known before the timeout');

      const silent = await rig.probe(rig.spec('silent', 150));
      assert.equal(silent.ok, false);
      assert.ok(silent.latencyMs >= 149, `silence lasts the whole timeout (${silent.latencyMs} ms)`);
      assert.match(silent.detail, /timeout/);
    } finally {
      await rig.close();
    }
  });
}
