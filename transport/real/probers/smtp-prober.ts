/**
 * SMTP_CHECK (keepalived check_smtp.c): connect, expect a 220 greeting, send `HELO helo_name`, expect 250, send
 * QUIT and read its reply. Multi-line replies (RFC 5321 §4.2.1, "250-…" continuation lines) are read to their
 * last line. The whole dialogue must finish within connect_timeout.
 */
import type { ProbeResult, SmtpProbeSpec } from '../../prober.js';
import { socketProbe } from './socket-probe.js';


type Step = 'greeting' | 'helo' | 'quit';

/** The code of a complete reply in `buffer` ("NNN text" as its last line), with the rest of the buffer. */
export function takeReply(buffer: string): { code: number; rest: string } | undefined {
  let start = 0;
  for (;;) {
    const eol = buffer.indexOf('\n', start);
    if (eol < 0) return undefined;
    const line = buffer.slice(start, eol).replace(/\r$/, '');
    start = eol + 1;
    if (line.length >= 3 && line[3] !== '-') return { code: Number.parseInt(line.slice(0, 3), 10), rest: buffer.slice(start) };
  }
}

export function probeSmtp(spec: SmtpProbeSpec): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let step: Step = 'greeting';
    let buffer = '';
    const probe = socketProbe(spec, () => `timeout waiting for the ${step} reply`, resolve);
    const { socket, finish } = probe;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (let reply = takeReply(buffer); reply !== undefined && !probe.settled; reply = takeReply(buffer)) {
        buffer = reply.rest;
        if (step === 'greeting') {
          if (reply.code !== 220) return finish(false, `bad greeting ${reply.code}`);
          step = 'helo';
          socket.write(`HELO ${spec.heloName}\r\n`);
        } else if (step === 'helo') {
          if (reply.code !== 250) return finish(false, `bad HELO reply ${reply.code}`);
          step = 'quit';
          socket.write('QUIT\r\n');
        } else {
          return finish(true, 'greeting, HELO and QUIT answered');
        }
      }
    });
    socket.once('end', () => finish(false, `connection closed before the ${step} reply`));
  });
}
