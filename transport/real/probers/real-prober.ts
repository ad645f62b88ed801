/** The daemon's prober: every kind on real sockets, processes and files. */
import { randomInt } from 'node:crypto';
import type { CallbackProber, ProbeResult, ProbeSpec } from '../../prober.js';
import { probeTcp, probeTcpWith } from './tcp-prober.js';
import { describeError } from './outcome.js';
import { probeHttp } from './http-prober.js';
import { probeMisc } from './misc-prober.js';
import { probeSmtp } from './smtp-prober.js';
import { probeDns } from './dns-prober.js';
import { probeUdp } from './udp-prober.js';
import { IcmpEngine, probePing } from './ping-prober.js';
import { probeFile } from './file-prober.js';

export class RealProber implements CallbackProber {
  private icmp: IcmpEngine | undefined;

  /**
   * The checker runner's path: TCP_CHECK answers straight from the native connector's batch, without a Promise,
   * and the connector keeps connect_timeout itself.
   */
  probeWith(spec: ProbeSpec, done: (result: ProbeResult) => void): boolean {
    if (spec.kind === 'tcp') return probeTcpWith(spec, done);
    this.probe(spec).then(done, (err: unknown) => done({ ok: false, detail: describeError(err), latencyMs: 0 }));
    return false;
  }

  probe(spec: ProbeSpec): Promise<ProbeResult> {
    switch (spec.kind) {
      case 'tcp':
        return probeTcp(spec);
      case 'http':
        return probeHttp(spec);
      case 'misc':
        return probeMisc(spec);
      case 'smtp':
        return probeSmtp(spec);
      case 'dns':
        return probeDns(spec);
      case 'udp':
        return probeUdp(spec);
      case 'ping':
        this.icmp ??= new IcmpEngine(randomInt(0, 0x10000));
        return probePing(this.icmp, spec);
      case 'file':
        return probeFile(spec);
    }
  }

  close(): void {
    this.icmp?.close();
    this.icmp = undefined;
  }
}
