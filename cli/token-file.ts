/**
 * `--http-token-file FILE`: the token the HTTP endpoint requires (`Authorization: Bearer TOKEN`, or `?token=` for
 * the page). The first line of FILE, at least 16 characters. The file is a secret: refused when others may read
 * it or anyone but its owner may write it (0600 or 0640 with a scraper's group will do).
 */
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';

export const MIN_TOKEN_LENGTH = 16;

/** The token in FILE; throws an Error whose message is one line naming the file and the problem. */
export function readTokenFile(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    throw new Error(`--http-token-file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error(`--http-token-file ${path}: not a regular file`);
    const mode = st.mode & 0o777;
    if ((mode & 0o027) !== 0) {
      throw new Error(`--http-token-file ${path}: mode ${mode.toString(8).padStart(4, '0')} lets others read or change the token (chmod 600 or 640)`);
    }
    const token = readFileSync(fd, 'utf8').split('\n', 1)[0]!.trim();
    if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
      throw new Error(`--http-token-file ${path}: the first line must be a token of at least ${MIN_TOKEN_LENGTH} characters without blanks`);
    }
    return token;
  } finally {
    closeSync(fd);
  }
}
