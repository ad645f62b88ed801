/**
 * The framing of an HTTP_GET response (protocol/http-response.ts): header end, status code as keepalived reads
 * it, Content-Length, body — with the edge cases of whitespace, folding and line ends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentLength, parseResponseHead, responseBody, responseComplete, statusCode } from '../../protocol/http-response.js';

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');
const status = (line: string): number => statusCode(bytes(line));

test('status code: three digits after the first space, followed by a space', () => {
  assert.equal(status('HTTP/1.1 200 OK'), 200);
  assert.equal(status('HTTP/1.0 503 Service Unavailable'), 503);
  // An empty reason phrase still has the space before it (RFC 9112 §4).
  assert.equal(status('HTTP/1.1 204 '), 204);
  // keepalived does not look at the version.
  assert.equal(status('ICY 200 OK'), 200);
});

test('status code 0: extra spaces, tabs, no space after the code, too many digits, not HTTP', () => {
  assert.equal(status('HTTP/1.1  200 OK'), 0);
  assert.equal(status('HTTP/1.1\t200 OK'), 0);
  assert.equal(status('HTTP/1.1 200\tOK'), 0);
  assert.equal(status('HTTP/1.1 200'), 0);
  assert.equal(status('HTTP/1.1 2000 OK'), 0);
  assert.equal(status('HTTP/1.1 20 OK'), 0);
  assert.equal(status('HTTP/1.1 +20 OK'), 0);
  assert.equal(status('SSH-2.0-OpenSSH'), 0);
  assert.equal(status(''), 0);
});

test('Content-Length: any case, spaces and tabs before the value, the digits it starts with', () => {
  assert.equal(contentLength('HTTP/1.0 200 OK\r\nContent-Length: 12'), 12);
  assert.equal(contentLength('HTTP/1.0 200 OK\r\nServer: x\r\ncontent-LENGTH:\t  7\r\nX: y'), 7);
  assert.equal(contentLength('HTTP/1.0 200 OK\r\nContent-Length:0'), 0);
  assert.equal(contentLength('HTTP/1.0 200 OK\r\nContent-Length: 5 bytes'), 5);
});

test('no Content-Length: absent, a space before the colon, a folded value, a sign, not at a line start', () => {
  assert.equal(contentLength('HTTP/1.0 200 OK\r\nServer: x'), undefined);
  assert.equal(contentLength('HTTP/1.0 200 OK\r\nContent-Length : 5'), undefined);
  assert.equal(contentLength('HTTP/1.0 200 OK\r\nContent-Length:\r\n 5'), undefined);
  assert.equal(contentLength('HTTP/1.0 200 OK\r\nContent-Length: -5'), undefined);
  assert.equal(contentLength('HTTP/1.0 200 OK\r\nX-Content-Length: 5'), undefined);
  // The status line is not a header line.
  assert.equal(contentLength('Content-Length: 5'), undefined);
  // The first Content-Length line decides, even when it has no number.
  assert.equal(contentLength('HTTP/1.0 200 OK\r\nContent-Length: x\r\nContent-Length: 5'), undefined);
  assert.equal(contentLength('HTTP/1.0 200 OK\r\nContent-Length: 3\r\nContent-Length: 5'), 3);
});

test('the header section ends at CRLF CRLF only: bare LF line ends give no head', () => {
  assert.equal(parseResponseHead(bytes('HTTP/1.0 200 OK\nContent-Length: 2\n\nok')), undefined);
  assert.equal(parseResponseHead(bytes('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n')), undefined);
  assert.equal(parseResponseHead(bytes('')), undefined);
  assert.deepEqual(parseResponseHead(bytes('HTTP/1.0 200 OK\r\n\r\n')), { status: 200, bodyStart: 19 });
  // A mixed \n\r\n is not the end either.
  assert.equal(parseResponseHead(bytes('HTTP/1.0 200 OK\n\r\nbody')), undefined);
});

test('complete at Content-Length; the body is cut there, or runs to the end of the data without one', () => {
  const kept = bytes('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel');
  assert.equal(responseComplete(kept), false);
  const whole = bytes('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA');
  assert.equal(responseComplete(whole), true);
  assert.equal(Buffer.from(responseBody(whole, parseResponseHead(whole)!)).toString(), 'hello');
  const open = bytes('HTTP/1.0 200 OK\r\n\r\nto the end');
  assert.equal(responseComplete(open), false, 'without a length only the close ends it');
  assert.equal(Buffer.from(responseBody(open, parseResponseHead(open)!)).toString(), 'to the end');
  // A plain Uint8Array frames the same as a Buffer.
  const plain = new Uint8Array(whole);
  assert.deepEqual(parseResponseHead(plain), parseResponseHead(whole));
  assert.equal(responseComplete(plain), true);
});
