import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor } from 'xstate';
import { syncGroupMachine, type MemberStatus, type SyncDirective } from '../../machines/sync-group.js';

function group(initial?: Record<string, MemberStatus>, owners?: readonly string[]): { actor: ReturnType<typeof createActor<typeof syncGroupMachine>>; driven: [string, SyncDirective][] } {
  const driven: [string, SyncDirective][] = [];
  const members = ['VI_1', 'VI_2', 'VI_3'];
  const actor = createActor(
    syncGroupMachine.provide({
      actions: {
        driveMembers: (_, params) => {
          for (const m of members) driven.push([m, params.state]);
        },
      },
    }),
    { input: { name: 'G', members, initial, owners } },
  );
  actor.start();
  return { actor, driven };
}

test('one member becoming MASTER drives the others to MASTER', () => {
  const { actor, driven } = group();
  actor.send({ type: 'MEMBER_STATE', member: 'VI_1', state: 'BACKUP', selfFault: false });
  assert.deepEqual(driven, []);
  actor.send({ type: 'MEMBER_STATE', member: 'VI_2', state: 'MASTER', selfFault: false });
  assert.equal(actor.getSnapshot().value, 'MASTER');
  assert.deepEqual(driven, [['VI_1', 'MASTER'], ['VI_2', 'MASTER'], ['VI_3', 'MASTER']]);
  // The others following report MASTER too: no second round.
  actor.send({ type: 'MEMBER_STATE', member: 'VI_1', state: 'MASTER', selfFault: false });
  assert.equal(driven.length, 3);
});

test('one member falling back to BACKUP drives the others to BACKUP', () => {
  const { actor, driven } = group();
  actor.send({ type: 'MEMBER_STATE', member: 'VI_1', state: 'MASTER', selfFault: false });
  driven.length = 0;
  actor.send({ type: 'MEMBER_STATE', member: 'VI_3', state: 'BACKUP', selfFault: false });
  assert.equal(actor.getSnapshot().value, 'BACKUP');
  assert.deepEqual(driven, [['VI_1', 'BACKUP'], ['VI_2', 'BACKUP'], ['VI_3', 'BACKUP']]);
});

test('a member fault holds the group in FAULT until no member has a fault of its own', () => {
  const { actor, driven } = group();
  actor.send({ type: 'MEMBER_STATE', member: 'VI_1', state: 'MASTER', selfFault: false });
  driven.length = 0;
  actor.send({ type: 'MEMBER_STATE', member: 'VI_2', state: 'FAULT', selfFault: true });
  assert.equal(actor.getSnapshot().value, 'FAULT');
  assert.deepEqual(driven, [['VI_1', 'FAULT'], ['VI_2', 'FAULT'], ['VI_3', 'FAULT']]);
  driven.length = 0;
  // Members driven into FAULT report it, but it is not their own fault: the group stays in FAULT.
  actor.send({ type: 'MEMBER_STATE', member: 'VI_1', state: 'FAULT', selfFault: false });
  assert.equal(actor.getSnapshot().value, 'FAULT');
  actor.send({ type: 'MEMBER_STATE', member: 'VI_3', state: 'FAULT', selfFault: true });
  actor.send({ type: 'MEMBER_STATE', member: 'VI_2', state: 'FAULT', selfFault: false });
  assert.equal(actor.getSnapshot().value, 'FAULT', 'VI_3 still has its own fault');
  assert.deepEqual(driven, []);
  actor.send({ type: 'MEMBER_STATE', member: 'VI_3', state: 'FAULT', selfFault: false });
  assert.equal(actor.getSnapshot().value, 'BACKUP');
  // CLEAR reaches every member, VI_3 (the last to recover, and held by the group too) included.
  assert.deepEqual(driven, [['VI_1', 'CLEAR'], ['VI_2', 'CLEAR'], ['VI_3', 'CLEAR']]);
});

test('made with no member states (at start, before they leave INIT): BACKUP, nobody driven', () => {
  const { actor, driven } = group();
  assert.equal(actor.getSnapshot().value, 'BACKUP');
  assert.deepEqual(driven, []);
});

test("made while a member has a fault of its own: FAULT, every member driven there, cleared once it recovers", () => {
  const { actor, driven } = group({ VI_1: { state: 'FAULT', selfFault: false }, VI_2: { state: 'FAULT', selfFault: true }, VI_3: { state: 'INIT', selfFault: false } });
  assert.equal(actor.getSnapshot().value, 'FAULT');
  assert.deepEqual(driven, [['VI_1', 'FAULT'], ['VI_2', 'FAULT'], ['VI_3', 'FAULT']]);
  driven.length = 0;
  actor.send({ type: 'MEMBER_STATE', member: 'VI_2', state: 'FAULT', selfFault: false });
  assert.equal(actor.getSnapshot().value, 'BACKUP');
  assert.deepEqual(driven, [['VI_1', 'CLEAR'], ['VI_2', 'CLEAR'], ['VI_3', 'CLEAR']]);
});

test('made while every member is MASTER: MASTER, nobody driven', () => {
  const master = { state: 'MASTER', selfFault: false } as const;
  const { actor, driven } = group({ VI_1: master, VI_2: master, VI_3: master });
  assert.equal(actor.getSnapshot().value, 'MASTER');
  assert.deepEqual(driven, []);
});

test('made in BACKUP: members an earlier group held in FAULT are freed, masters step back to BACKUP', () => {
  const { actor, driven } = group({ VI_1: { state: 'FAULT', selfFault: false }, VI_2: { state: 'MASTER', selfFault: false }, VI_3: { state: 'BACKUP', selfFault: false } });
  assert.equal(actor.getSnapshot().value, 'BACKUP');
  assert.deepEqual(driven, [['VI_1', 'CLEAR'], ['VI_2', 'CLEAR'], ['VI_3', 'CLEAR'], ['VI_1', 'BACKUP'], ['VI_2', 'BACKUP'], ['VI_3', 'BACKUP']]);
});

test('a group of address owners about to start starts MASTER, driving no one; one non-owner member makes it BACKUP', () => {
  // keepalived vrrp_sync_set_group: each owner will be MASTER at once, so the group is never BACKUP.
  const owners = group(undefined, ['VI_1', 'VI_2', 'VI_3']);
  assert.equal(owners.actor.getSnapshot().value, 'MASTER');
  assert.deepEqual(owners.driven, []);
  owners.actor.send({ type: 'MEMBER_STATE', member: 'VI_1', state: 'MASTER', selfFault: false });
  assert.equal(owners.actor.getSnapshot().value, 'MASTER');
  assert.deepEqual(owners.driven, []);
  assert.equal(group(undefined, ['VI_1', 'VI_2']).actor.getSnapshot().value, 'BACKUP');
  // Owners already running (a reload) start from their states as any member does.
  const running = { state: 'BACKUP', selfFault: false } as const;
  assert.equal(group({ VI_1: running, VI_2: running, VI_3: running }, ['VI_1', 'VI_2', 'VI_3']).actor.getSnapshot().value, 'BACKUP');
  // An owner with a fault of its own: FAULT first.
  assert.equal(group({ VI_2: { state: 'INIT', selfFault: true } }, ['VI_1', 'VI_2', 'VI_3']).actor.getSnapshot().value, 'FAULT');
});
