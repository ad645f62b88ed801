/**
 * track_file's files as keepalived touches them before its instances start, synchronously: init_file's write
 * (track_file.c track_file_end_handler) and the first read (init_track_files). The polls after that go through
 * NodeEnvironment.readFile, which never blocks the VRRP thread.
 */
export type TrackFileKind = 'missing' | 'file' | 'other';

export interface TrackFileHost {
  /** What is at the path (following a symbolic link, as stat(2)): nothing, a regular file, or something else. */
  kind(path: string): TrackFileKind;
  /** The file's text, undefined when it cannot be read. */
  read(path: string): string | undefined;
  /** Replaces the file whole (keepalived fopen_safe: a new file renamed over the old one); throws when it cannot. */
  write(path: string, text: string): void;
}
