/**
 * keepalived's umask values (global_defs `umask`, and the `-u` / `--umask` option): a number in C's strtol base 0
 * (0x hex, leading-0 octal, else decimal) of permission bits only, or in the configuration also the bit names
 * IRUSR … IXOTH joined by `|` (spaces allowed around them). keepalived's own default is 0177 (lib/utils.c
 * umask_val), whatever the man page says.
 */
export const DEFAULT_UMASK = 0o177;

const BITS: Readonly<Record<string, number>> = {
  IRUSR: 0o400,
  IWUSR: 0o200,
  IXUSR: 0o100,
  IRGRP: 0o040,
  IWGRP: 0o020,
  IXGRP: 0o010,
  IROTH: 0o004,
  IWOTH: 0o002,
  IXOTH: 0o001,
};

/** A number as C's strtol(…, 0) reads it, permission bits only; undefined otherwise. */
export function numericUmask(text: string): number | undefined {
  let n: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) n = parseInt(text.slice(2), 16);
  else if (/^0[0-7]*$/.test(text)) n = parseInt(text, 8);
  else if (/^[1-9][0-9]*$/.test(text)) n = Number(text);
  else return undefined;
  return n >= 0 && (n & ~0o777) === 0 ? n : undefined;
}

/** The words after `umask`: a number, or bit names joined by `|`. Returns the mask or why it is refused. */
export function parseUmask(words: readonly string[]): number | string {
  const first = words[0];
  if (first === undefined) return 'missing value';
  if (/^[0-9]/.test(first)) {
    if (words.length !== 1) return 'extra parameter(s)';
    return numericUmask(first) ?? `invalid umask value ${first}`;
  }
  const names = words.join('').split('|');
  let mask = 0;
  for (const name of names) {
    if (name === '') return `invalid umask syntax ${words.join(' ')}`;
    const bit = BITS[name];
    if (bit === undefined) return `unknown umask bit ${name}`;
    mask |= bit;
  }
  return mask;
}
