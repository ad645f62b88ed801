/**
 * keepalived's include_check (lib/parser.c include_check_set) and the checks each include variant adds: bits that
 * make a problem with included files an error rather than a warning.
 * - read (R): a match that is a directory, or not a regular non-executable file;
 * - match (M): a pattern without wildcards that matches nothing;
 * - wildcard_match (W): a pattern with wildcards that matches nothing;
 * - brace_match (B): a brace alternative that matches nothing.
 * `include_check` alone sets all four; words set (`read`), add (`+match`) or remove (`-wildcard_match`); match,
 * wildcard_match and brace_match set alone include read.
 */
export const INCLUDE_R = 1;
export const INCLUDE_M = 2;
export const INCLUDE_W = 4;
export const INCLUDE_B = 8;
export const INCLUDE_ALL = INCLUDE_R | INCLUDE_M | INCLUDE_W | INCLUDE_B;

const NAMES: Readonly<Record<string, number>> = { read: INCLUDE_R, match: INCLUDE_M, wildcard_match: INCLUDE_W, brace_match: INCLUDE_B };

/** The checks of `include`, `includer`, `includem`, `includew`, `includeb`, `includea` (by the letter after it). */
export function includeVariantChecks(variant: string): number {
  switch (variant) {
    case 'r':
      return INCLUDE_R;
    case 'm':
      return INCLUDE_R | INCLUDE_M;
    case 'w':
      return INCLUDE_R | INCLUDE_M | INCLUDE_W;
    case 'b':
      return INCLUDE_R | INCLUDE_B;
    case 'a':
      return INCLUDE_ALL;
    default:
      return 0;
  }
}

/** The checks after an `include_check WORDS…` line, from `current`; problems are what keepalived reports. */
export function applyIncludeCheck(current: number, words: readonly string[]): { readonly checks: number; readonly problems: readonly string[] } {
  if (words.length === 0) return { checks: INCLUDE_ALL, problems: [] };
  let checks = current;
  const problems: string[] = [];
  words.forEach((word, i) => {
    const sign = word[0] === '+' || word[0] === '-' ? word[0] : undefined;
    if (sign === undefined && i > 0) {
      problems.push(`duplicate include_check '${word}' specified - ignoring`);
      return;
    }
    if (sign === undefined) checks = 0;
    const flag = NAMES[sign === undefined ? word : word.slice(1)];
    if (flag === undefined) {
      problems.push(`unknown include_check type '${sign === undefined ? word : word.slice(1)}' - ignoring`);
      return;
    }
    if (sign === undefined) checks = INCLUDE_R | flag;
    else if (sign === '+') checks |= flag;
    else checks &= ~flag;
  });
  return { checks, problems };
}
