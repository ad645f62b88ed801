/** The daemon's prober: every kind on real sockets, processes and files. */
import { randomInt } from 'node:crypto';
import type { ProbeResult, ProbeSpec, Prober } from './prober.js';
import { probeTcp } from './tcp-prober.js';
import { probeHttp } from './http-prober.js';
import { probeMisc } from './misc-prober.js';
import { probeSmtp } from './smtp-prober.js';
import { probeDns } from './dns-prober.js';
import { probeUdp } from './udp-prober.js';
import { IcmpEngine, probePing } from './ping-prober.js';
import { probeFile } from './file-prober.js';

export class RealProber implements Prober {
  private icmp: IcmpEngine | undefined;

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
