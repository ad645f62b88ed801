/** How a command refuses: one line `vigil COMMAND: message` on stderr and exit `code` (2: bad input), no stack trace. */
export type Fail = (message: string) => never;

export function failer(command: string, code = 2): Fail {
  return (message) => {
    process.stderr.write(`vigil ${command}: ${message}\n`);
    process.exit(code);
  };
}
