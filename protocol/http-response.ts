/**
 * How HTTP_GET / SSL_GET frame an HTTP/1.x response: the one rule of both fetch paths of
 * transport/real/probers/http-prober.ts (the native connector's exchange and Node's sockets). The native connector
 * decides when to stop reading by the same rule (native/src/tcp_connector.cc AnswerComplete: the header section's
 * end and Content-Length); test/checkers/http-native.test.ts runs the edge cases below on both paths.
 *
 * - The header section ends at the first CRLF CRLF (keepalived lib/html.c extract_html). Lines ended by a bare LF
 *   never end it: such a response has no header.
 * - The status code is what keepalived's extract_status_code reads: the three characters after the first space of
 *   the status line, which must be digits followed by a space. Anything else — two spaces, a tab, a code without
 *   the space before its (possibly empty) reason phrase (RFC 9112 §4 requires that space) — is status 0, which no
 *   `status_code` accepts. The version is not looked at.
 * - Content-Length is the first header line whose name is Content-Length in any case (RFC 9110 §5.1), directly
 *   followed by the colon (RFC 9112 §5.1 allows no space before it); its value, after spaces and tabs, is the
 *   digits it starts with. A value that starts with anything else (a sign, a folded continuation line) is no
 *   length, and later Content-Length lines are not read: the body then runs to the end of what the server sent.
 * - The body starts after the header section and ends at Content-Length, or where the data ends.
 *
 * vigil stops reading at Content-Length; keepalived reads to the server's close either way (its request asks for
 * the close: HTTP/1.0, or "Connection: close").
 */

export interface HttpResponseHead {
  /** 0 when the status line does not carry a code as keepalived reads it. */
  readonly status: number;
  /** Where the body starts: just after the CRLF CRLF. */
  readonly bodyStart: number;
  readonly contentLength?: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = 'content-length:';
const SP = 0x20;

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;

function view(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** keepalived's status code of a status line (without its CRLF), or 0. */
export function statusCode(line: Uint8Array): number {
  const space = line.indexOf(SP);
  if (space < 0) return 0;
  const code = line.subarray(space + 1, space + 5);
  if (code.length < 4 || !isDigit(code[0]) || !isDigit(code[1]) || !isDigit(code[2]) || code[3] !== SP) return 0;
  return (code[0]! - 0x30) * 100 + (code[1]! - 0x30) * 10 + (code[2]! - 0x30);
}

/** The Content-Length of a header section (the text before CRLF CRLF), by the rule above. */
export function contentLength(header: string): number | undefined {
  // The name starts a line: after a CRLF (the status line is never a header line).
  for (let at = header.indexOf('\r\n'); at >= 0; at = header.indexOf('\r\n', at + 2)) {
    const start = at + 2;
    if (header.slice(start, start + CONTENT_LENGTH.length).toLowerCase() !== CONTENT_LENGTH) continue;
    const value = /^[ \t]*(\d*)/.exec(header.slice(start + CONTENT_LENGTH.length))![1]!;
    return value === '' ? undefined : Number(value);
  }
  return undefined;
}

/** The head of the response in `data`, or undefined while its header section has not ended. */
export function parseResponseHead(data: Uint8Array): HttpResponseHead | undefined {
  const bytes = view(data);
  const end = bytes.indexOf(HEADER_END);
  if (end < 0) return undefined;
  const header = bytes.toString('latin1', 0, end);
  const lineEnd = bytes.indexOf('\r\n');
  const status = statusCode(bytes.subarray(0, lineEnd));
  const length = contentLength(header);
  return { status, bodyStart: end + HEADER_END.length, ...(length !== undefined ? { contentLength: length } : {}) };
}

/** Whether `data` holds a whole response: its header section, and a body that has reached Content-Length. */
export function responseComplete(data: Uint8Array, head = parseResponseHead(data)): boolean {
  return head?.contentLength !== undefined && data.length - head.bodyStart >= head.contentLength;
}

/** The body: from the header's end to Content-Length, or to the end of `data`. */
export function responseBody(data: Uint8Array, head: HttpResponseHead): Uint8Array {
  return data.subarray(head.bodyStart, head.contentLength === undefined ? data.length : head.bodyStart + head.contentLength);
}
