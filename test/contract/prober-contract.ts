/**
 * The Prober contract (transport/prober.ts), for every kind the simulator models: a target that answers succeeds
 * before the timeout; one that refuses fails before the timeout; a silent one fails when the timeout is over, not
 * before; misc_dynamic and FILE_CHECK weights come back with the result; a probe never throws, whatever the spec.
 * Run on the real prober against real local servers, programs and files, and on the simulated prober, so that the
 * simulator's servers behave like real ones.
 */
import assert from 'node:assert/strict';
import type { ProbeKind, ProbeResult, ProbeSpec } from '../../transport/prober.js';
import type { ContractCase } from './contract.js';

/** How a target behaves. `weighted` answers with a weight (MISC_CHECK misc_dynamic, FILE_CHECK weight). */
export type Behaviour = 'answers' | 'refuses' | 'silent' | 'weighted';

/** What each kind can do: a ping is not refused, a file is read at once, only MISC and FILE carry weights. */
export const BEHAVIOURS: Readonly<Record<ProbeKind, readonly Behaviour[]>> = {
  tcp: ['answers', 'refuses', 'silent'],
  http: ['answers', 'refuses', 'silent'],
  smtp: ['answers', 'refuses', 'silent'],
  dns: ['answers', 'refuses', 'silent'],
  udp: ['answers', 'refuses', 'silent'],
  ping: ['answers', 'silent'],
  misc: ['answers', 'refuses', 'silent', 'weighted'],
  file: ['answers', 'refuses', 'weighted'],
};

/**
 * The weights a `weighted` target answers with: misc_dynamic exit status 7 sets the weight to 5 (absolute);
 * FILE_CHECK with weight 10 reading 3 adds 30 (delta).
 */
export const WEIGHTED: Readonly<Partial<Record<ProbeKind, ProbeResult['weight']>>> = {
  misc: { kind: 'absolute', value: 5 },
  file: { kind: 'delta', value: 30 },
};

export interface ProberRig {
  /** A spec of this kind whose target behaves so, with this timeout (ignored by FILE_CHECK). */
  spec(kind: ProbeKind, behaviour: Behaviour, timeoutMs: number): ProbeSpec;
  /** One probe, and the time it took on the rig's clock. */
  probe(spec: ProbeSpec): Promise<{ result: ProbeResult; tookMs: number }>;
}

// Generous: a loaded host must not turn an answer or a refusal into a timeout (the cases assert which came first).
const ANSWER_TIMEOUT_MS = 10_000;
const SILENCE_TIMEOUT_MS = 200;

function casesFor(kind: ProbeKind): ContractCase<ProberRig>[] {
  const can = BEHAVIOURS[kind];
  const cases: ContractCase<ProberRig>[] = [];
  if (can.includes('answers')) {
    cases.push({
      name: `${kind}: an answering target succeeds before the timeout, again at the next probe`,
      async check(rig) {
        const spec = rig.spec(kind, 'answers', ANSWER_TIMEOUT_MS);
        for (let i = 0; i < 2; i++) {
          const { result } = await rig.probe(spec);
          assert.equal(result.ok, true, result.detail);
          assert.ok(result.latencyMs >= 0 && result.latencyMs < ANSWER_TIMEOUT_MS, `latency ${result.latencyMs} ms`);
          assert.equal(typeof result.detail, 'string');
        }
      },
    });
  }
  if (can.includes('refuses')) {
    cases.push({
      name: `${kind}: a refusing target fails before the timeout, with a reason`,
      async check(rig) {
        const { result, tookMs } = await rig.probe(rig.spec(kind, 'refuses', ANSWER_TIMEOUT_MS));
        assert.equal(result.ok, false);
        assert.ok(result.latencyMs < ANSWER_TIMEOUT_MS, `a refusal is known before the timeout (latency ${result.latencyMs} ms)`);
        assert.ok(tookMs < ANSWER_TIMEOUT_MS, `the probe came back after ${tookMs} ms`);
        assert.ok(result.detail.length > 0 && !result.detail.includes('\n'), `one line of detail: ${JSON.stringify(result.detail)}`);
      },
    });
  }
  if (can.includes('silent')) {
    cases.push({
      name: `${kind}: a silent target fails when the timeout is over, not before`,
      async check(rig) {
        const { result, tookMs } = await rig.probe(rig.spec(kind, 'silent', SILENCE_TIMEOUT_MS));
        assert.equal(result.ok, false, result.detail);
        // The event loop counts whole milliseconds: a real timer may end a fraction early.
        assert.ok(result.latencyMs >= SILENCE_TIMEOUT_MS - 1, `silence lasts the whole timeout (latency ${result.latencyMs} ms)`);
        assert.ok(tookMs >= SILENCE_TIMEOUT_MS - 1, `the probe came back after ${tookMs} ms`);
      },
    });
  }
  if (can.includes('weighted')) {
    cases.push({
      name: `${kind}: the weight comes back with a success`,
      async check(rig) {
        const { result } = await rig.probe(rig.spec(kind, 'weighted', ANSWER_TIMEOUT_MS));
        assert.equal(result.ok, true, result.detail);
        assert.deepEqual(result.weight, WEIGHTED[kind]);
      },
    });
  }
  return cases;
}

export const proberContract: readonly ContractCase<ProberRig>[] = [
  ...(Object.keys(BEHAVIOURS) as ProbeKind[]).flatMap(casesFor),
  {
    name: 'a probe never throws: a program that does not exist is a failure',
    async check(rig) {
      const spec: ProbeSpec = { kind: 'misc', argv: ['/nonexistent/vigil-contract'], timeoutMs: SILENCE_TIMEOUT_MS, dynamic: false };
      const { result } = await rig.probe(spec);
      assert.equal(result.ok, false);
    },
  },
];
