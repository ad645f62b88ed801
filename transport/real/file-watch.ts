/**
 * FILE_CHECK reacts to changes at once (keepalived watches track files with inotify). fs.watch on the directory
 * sees the file being created, replaced (rename over it) or written; the checker's delay_loop probe remains the
 * fallback if an event is missed.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { FileWatch } from '../file-watch.js';

export function watchFile(path: string, onChange: () => void): FileWatch {
  const name = basename(path);
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, filename) => {
      if (filename === null || filename.toString() === name) onChange();
    });
    watcher.on('error', () => watcher?.close());
  } catch {
    // No directory: polling by delay_loop only.
  }
  return { close: () => watcher?.close() };
}
