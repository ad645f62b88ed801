/**
 * The BFD worker's hand-over to the VRRP thread (actors/daemon/bfd-forward.ts): a change of state is sent at
 * once, in the same call that reported it, not at the end of the worker's turn; drops wait for the turn's end
 * and go together.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Subject } from 'rxjs';
import type { BfdHostEvent } from '../../actors/bfd/bfd-host.js';
import { forwardBfdEvents } from '../../actors/daemon/bfd-forward.js';

const change = (name: string): BfdHostEvent => ({
  kind: 'change',
  change: { name, neighbor: '10.0.0.2', from: 'Up', to: 'Down', localDiag: 1, remoteDiag: 0, at: 1, lastReceivedAt: 0, epoch: 1, detectionTimeMs: 30, byAdmin: false },
});
const drop: BfdHostEvent = { kind: 'drop', at: 1, reason: 'no_session', session: undefined };

test('changes of state cross at once, each as it happens; drops go together at the end of the turn', () => {
  const events = new Subject<BfdHostEvent>();
  const sent: string[][] = [];
  const turnEnd: (() => void)[] = [];
  forwardBfdEvents(events, (batch) => sent.push(batch.map((e) => (e.kind === 'change' ? e.change.name : e.reason))), (fn) => turnEnd.push(fn));
  events.next(change('a'));
  assert.deepEqual(sent, [['a']], 'the first change is sent before anything else happens in the turn');
  events.next(drop);
  events.next(change('b'));
  events.next(drop);
  assert.deepEqual(sent, [['a'], ['b']]);
  assert.equal(turnEnd.length, 1, 'one hand-over of drops per turn');
  turnEnd.shift()!();
  assert.deepEqual(sent, [['a'], ['b'], ['no_session', 'no_session']]);
  events.next(drop);
  assert.equal(turnEnd.length, 1, 'the next turn has its own');
});
