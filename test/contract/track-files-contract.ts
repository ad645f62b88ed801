/**
 * The track_file contract: the TrackFileHost of transport/track-files.ts (init_file's write and the first read, at
 * start and reload) and the poll after that (NodeEnvironment.readFile). Judged from the world: on a real host the
 * files themselves (read and written with node:fs, as another program would), in the simulator the simulated
 * host's files as a scenario writes them. What the rig gives: the two transports, paths in a world of its own, and
 * the world's hand (what another program writes, what a reader of the file finds).
 */
import assert from 'node:assert/strict';
import type { NodeEnvironment } from '../../actors/environment.js';
import type { TrackFileHost } from '../../transport/track-files.js';
import { CaseSkipped, type ContractCase } from './contract.js';

export type TrackFilePoll = NonNullable<NodeEnvironment['readFile']>;

export interface TrackFilesRig {
  readonly host: TrackFileHost;
  readonly poll: TrackFilePoll;
  /** A path in the rig's own world, nothing there yet. */
  path(name: string): string;
  /** Another program writes the file whole (undefined: removes it). */
  put(path: string, text: string | undefined): void;
  /** What a reader of the file finds now; undefined when there is none. */
  holds(path: string): string | undefined;
  /** Lets the world's time pass until the poll has had the chance to answer (the simulator's clock; real time). */
  settle(): Promise<void>;
  /** Something at the path that is not a regular file (a directory); absent where the world has none. */
  makeDirectory?(path: string): void;
  /** A path where no file can be made (its directory does not exist); absent where the world has none. */
  unwritable?(name: string): string;
}

/** One poll, as the tracker makes it: the answer through the promise or through `done`, exactly once. */
export async function pollOnce(rig: TrackFilesRig, path: string): Promise<string | undefined> {
  const answers: (string | undefined)[] = [];
  const promise = rig.poll(path, (text) => answers.push(text));
  if (promise !== undefined) answers.push(await promise);
  else await rig.settle();
  await rig.settle();
  assert.equal(answers.length, 1, `the poll of ${path} answers exactly once (answered ${answers.length} times)`);
  return answers[0];
}

export const trackFilesContract: readonly ContractCase<TrackFilesRig>[] = [
  {
    name: 'a missing file: kind missing, read undefined, the poll answers undefined',
    async check(rig) {
      const p = rig.path('missing');
      assert.equal(rig.host.kind(p), 'missing');
      assert.equal(rig.host.read(p), undefined);
      assert.equal(await pollOnce(rig, p), undefined);
    },
  },
  {
    name: 'a file another program writes: kind file, read and the poll give its text, and each later change or its removal',
    async check(rig) {
      const p = rig.path('weight');
      rig.put(p, '10\n');
      assert.equal(rig.host.kind(p), 'file');
      assert.equal(rig.host.read(p), '10\n');
      assert.equal(await pollOnce(rig, p), '10\n');
      rig.put(p, '-254\n');
      assert.equal(rig.host.read(p), '-254\n');
      assert.equal(await pollOnce(rig, p), '-254\n');
      rig.put(p, undefined);
      assert.equal(rig.host.kind(p), 'missing');
      assert.equal(rig.host.read(p), undefined);
      assert.equal(await pollOnce(rig, p), undefined);
    },
  },
  {
    name: "init_file's write makes the file, or replaces it whole: the world holds exactly the new text",
    async check(rig) {
      const p = rig.path('init');
      rig.host.write(p, '0\n');
      assert.equal(rig.holds(p), '0\n');
      assert.equal(rig.host.kind(p), 'file');
      rig.put(p, '123456789\n');
      rig.host.write(p, '7\n');
      assert.equal(rig.holds(p), '7\n', 'a shorter text leaves nothing of the longer one');
      assert.equal(rig.host.read(p), '7\n');
      assert.equal(await pollOnce(rig, p), '7\n');
    },
  },
  {
    name: 'something that is not a regular file is "other", and is read as nothing',
    async check(rig) {
      if (!rig.makeDirectory) throw new CaseSkipped('this world has only files');
      const p = rig.path('directory');
      rig.makeDirectory(p);
      assert.equal(rig.host.kind(p), 'other');
      assert.equal(rig.host.read(p), undefined);
      assert.equal(await pollOnce(rig, p), undefined);
    },
  },
  {
    name: 'a write where no file can be made throws, and leaves nothing there',
    async check(rig) {
      if (!rig.unwritable) throw new CaseSkipped('every write succeeds in this world');
      const p = rig.unwritable('nowhere');
      assert.throws(() => rig.host.write(p, '1\n'));
      assert.equal(rig.holds(p), undefined);
      assert.equal(rig.host.kind(p), 'missing');
    },
  },
];
