/** Text to roff for man(7) pages: what groff would otherwise read as a request, an escape or a hyphen. */

/**
 * One line of running text: backslashes escaped, `-` as the minus sign options need (`\-`, so copy and paste gives
 * ASCII), non-ASCII as `\[uXXXX]`, a line starting with `.` or `'` protected with `\&`.
 */
export function roffText(text: string): string {
  const escaped = text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    // A long `A|B|C` alternation may break after each bar (`\:` is a break point that prints nothing).
    .replace(/\|/g, '|\\:')
    // Anything beyond ASCII as a groff Unicode escape: the page reads the same under any locale and preconv.
    .replace(/[^\x00-\x7f]/gu, (c) => `\\[u${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`);
  return /^[.']/.test(escaped) ? `\\&${escaped}` : escaped;
}

/** An argument of a macro (`.B`, `.TP` tag…): quoted, with a literal double quote doubled. */
export function roffArg(text: string): string {
  return `"${roffText(text).replace(/"/g, '""')}"`;
}

/** Bold words in running text. */
export function bold(text: string): string {
  return `\\fB${roffText(text)}\\fR`;
}

/** Italic words in running text. */
export function italic(text: string): string {
  return `\\fI${roffText(text)}\\fR`;
}

/** The page's header line. `date` is YYYY-MM-DD (or empty). */
export function titleLine(name: string, section: number, date: string, version: string, manual: string): string {
  // Ragged right (`.ad l`): long keyword paths cannot be spread over a justified line at narrow widths.
  return `.TH ${name.toUpperCase()} ${section} ${roffArg(date)} ${roffArg(`vigil ${version}`)} ${roffArg(manual)}\n.ad l`;
}
