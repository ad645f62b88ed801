/** Sysctls (transport/sysctl.ts) through /proc/sys: a few bytes, read and written at start, reload and stop. */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Sysctls } from '../sysctl.js';

const path = (key: string): string => `/proc/sys/${key}`;

export const procSysctls: Sysctls = {
  read(key: string): string | undefined {
    try {
      return readFileSync(path(key), 'utf8').trim();
    } catch {
      return undefined;
    }
  },
  write(key: string, value: string): void {
    writeFileSync(path(key), value);
  },
};
