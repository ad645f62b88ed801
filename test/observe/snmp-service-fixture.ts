/** An SnmpService for the SNMP tests: a host `h` with every interface at ifIndex 7 and no MAC or address unless given. Only exports. */
import { SnmpService, type SnmpServiceSources } from '../../observe/snmp/snmp-service.js';

type Required = 'config' | 'status' | 'messages$' | 'subagent';

export function testSnmpService(sources: Pick<SnmpServiceSources, Required> & Partial<Omit<SnmpServiceSources, Required>>): SnmpService {
  return new SnmpService({
    ifIndex: () => 7,
    ifMac: () => undefined,
    primaryAddress: () => undefined,
    hostname: 'h',
    version: 'vigil test',
    log: { info: () => {}, warn: () => {} },
    ...sources,
  });
}
