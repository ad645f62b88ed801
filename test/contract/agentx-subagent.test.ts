/**
 * The AgentX subagent contract (agentx-subagent-contract.ts) on the real subagent (transport/real/agentx-subagent.ts)
 * against a master played by the test; broken subagents must fail it. Needs no root.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentxSubagent } from '../../transport/real/agentx-subagent.js';
import type { AgentxSubagentOptions, Subagent } from '../../transport/agentx-subagent.js';
import { failingCases, runContract } from './contract.js';
import { subagentContract, type SubagentRig } from './agentx-subagent-contract.js';

type Fault = 'registers nothing' | 'early notifications dropped' | 'never reconnects' | 'first view kept' | 'stop leaves the session';

function rig(fault?: Fault): SubagentRig {
  return {
    make(options: AgentxSubagentOptions) {
      let kept: ReturnType<AgentxSubagentOptions['view']> | undefined;
      const inner = new AgentxSubagent({
        ...options,
        ...(fault === 'registers nothing' ? { subtrees: [] } : {}),
        ...(fault === 'never reconnects' ? { retryMs: 600_000 } : {}),
        ...(fault === 'first view kept' ? { view: () => (kept ??= options.view()) } : {}),
      });
      let started = false;
      const agent: Subagent = {
        start: () => {
          started = true;
          inner.start();
        },
        stop: () => (fault === 'stop leaves the session' ? undefined : inner.stop()),
        notify: (trap, varbinds) => (fault === 'early notifications dropped' && !started ? false : inner.notify(trap, varbinds)),
      };
      return { agent, dispose: () => inner.stop() };
    },
  };
}

test('AgentX subagent contract: the real subagent', { timeout: 120_000 }, async (t) => {
  await runContract(t, subagentContract, rig());
});

test('AgentX subagent contract: broken subagents fail it', { timeout: 300_000 }, async () => {
  const [opens, answers, early, reconnects, stops] = subagentContract.map((c) => c.name);
  assert.deepEqual(await failingCases(subagentContract, rig()), []);
  assert.deepEqual(await failingCases(subagentContract, rig('registers nothing')), [opens, answers, reconnects, stops]);
  assert.deepEqual(await failingCases(subagentContract, rig('early notifications dropped')), [early]);
  assert.deepEqual(await failingCases(subagentContract, rig('never reconnects')), [reconnects]);
  assert.deepEqual(await failingCases(subagentContract, rig('first view kept')), [answers]);
  assert.deepEqual(await failingCases(subagentContract, rig('stop leaves the session')), [stops]);
});
