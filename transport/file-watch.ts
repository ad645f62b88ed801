/**
 * Watching a file for changes (FILE_CHECK reacts at once, as keepalived's inotify watch does): the contract. The
 * real one is transport/real/file-watch.ts; where there is none (the simulator), delay_loop probes alone notice.
 */
export interface FileWatch {
  close(): void;
}

export type WatchFile = (path: string, onChange: () => void) => FileWatch;
