/**
 * The track_file contract (track-files-contract.ts) on the simulated host's files (sim/simulated-files.ts, the
 * simulator's twin) and on the real ones (transport/real/track-file-host.ts: realTrackFileHost and readTrackFile,
 * what `vigil run` is given), in a directory of its own; broken implementations must fail it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedFiles } from '../../sim/simulated-files.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { readTrackFile, realTrackFileHost } from '../../transport/real/track-file-host.js';
import type { TrackFileHost } from '../../transport/track-files.js';
import { failingCases, runContract } from './contract.js';
import { trackFilesContract, type TrackFilePoll, type TrackFilesRig } from './track-files-contract.js';

type Fault = 'appending write' | 'stale read' | 'stale poll' | 'kind always file' | 'poll answers twice' | 'poll never answers';

function simRig(fault?: Fault): TrackFilesRig {
  const clock = new VirtualClock();
  const files = new SimulatedFiles(clock);
  const inner = files.host();
  const readCache = new Map<string, string | undefined>();
  const pollCache = new Map<string, string | undefined>();
  const host: TrackFileHost = {
    kind: (p) => (fault === 'kind always file' ? 'file' : inner.kind(p)),
    read: (p) => {
      if (fault !== 'stale read') return inner.read(p);
      if (!readCache.has(p)) readCache.set(p, inner.read(p));
      return readCache.get(p);
    },
    write: (p, text) => inner.write(p, fault === 'appending write' ? (files.readNow(p) ?? '') + text : text),
  };
  const poll: TrackFilePoll = (p, done) => {
    if (fault === 'poll never answers') return undefined;
    return files.read(p, (text) => {
      if (fault === 'stale poll') {
        if (!pollCache.has(p)) pollCache.set(p, text);
        text = pollCache.get(p);
      }
      done(text);
      if (fault === 'poll answers twice') done(text);
    });
  };
  return {
    host,
    poll,
    path: (name) => `/etc/keepalived/${name}`,
    put: (p, text) => files.write(p, text),
    holds: (p) => files.readNow(p),
    settle: async () => clock.runFor(1000),
  };
}

function realRig(dir: string): TrackFilesRig {
  const read = (p: string): string | undefined => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  };
  return {
    host: realTrackFileHost,
    poll: readTrackFile,
    path: (name) => join(dir, name),
    put: (p, text) => (text === undefined ? unlinkSync(p) : writeFileSync(p, text)),
    holds: read,
    settle: () => new Promise((resolve) => setTimeout(resolve, 5)),
    makeDirectory: (p) => mkdirSync(p),
    unwritable: (name) => join(dir, 'no-such-directory', name),
  };
}

test('track_file contract: simulated files', async (t) => {
  await runContract(t, trackFilesContract, () => simRig());
});

test('track_file contract: real files', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-track-files-'));
  try {
    await runContract(t, trackFilesContract, () => realRig(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('track_file contract: broken implementations fail it', async () => {
  const failing = (fault: Fault) => failingCases(trackFilesContract, () => simRig(fault));
  assert.deepEqual(await failingCases(trackFilesContract, () => simRig()), []);
  const [missing, changes, init] = trackFilesContract.map((c) => c.name);
  assert.deepEqual(await failing('appending write'), [init]);
  assert.deepEqual(await failing('stale read'), [changes]);
  assert.deepEqual(await failing('stale poll'), [changes]);
  assert.deepEqual(await failing('kind always file'), [missing, changes]);
  assert.deepEqual(await failing('poll answers twice'), [missing, changes, init]);
  assert.deepEqual(await failing('poll never answers'), [missing, changes, init]);
});
