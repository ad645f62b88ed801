/**
 * track_file `init_file [VALUE] [overwrite]`, as keepalived 2.2.7 does it when it reads the block
 * (track_file.c track_file_end_handler), for every track_file block whether tracked or not, never by
 * `config test`:
 * - without `overwrite`, a missing file is created holding VALUE (default 0); an existing one is left alone;
 * - with `overwrite`, the file is written at start whatever it held, but not on a reload; something other than
 *   a regular file at the path is an error and is left alone.
 * The file holds the value and a newline.
 */
import type { TrackFile } from '../../config/model.js';
import type { TrackFileHost, TrackFileKind } from '../../transport/track-files.js';
import type { DaemonLog } from '../environment.js';

export type InitFileAction = 'write' | 'keep' | 'not-regular';

export function initFileAction(overwrite: boolean, kind: TrackFileKind, reload: boolean): InitFileAction {
  if (kind === 'missing') return 'write';
  if (!overwrite) return 'keep';
  if (kind !== 'file') return 'not-regular';
  return reload ? 'keep' : 'write';
}

/** Writes what the track_file blocks' init_file ask for; a failure is logged as keepalived does, never thrown. */
export function initTrackFiles(files: readonly TrackFile[], host: TrackFileHost, reload: boolean, log: Pick<DaemonLog, 'info' | 'error'>): void {
  for (const f of files) {
    if (!f.initFile || f.file === '') continue;
    const action = initFileAction(f.initFile.overwrite, host.kind(f.file), reload);
    if (action === 'not-regular') log.error(`Cannot initialise track file ${f.name} - it is not a regular file`);
    if (action !== 'write') continue;
    try {
      host.write(f.file, `${f.initFile.value}\n`);
      log.info(`track_file ${f.name}: ${f.file} initialised to ${f.initFile.value}`);
    } catch (err) {
      log.error(`Unable to initialise track file ${f.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
