/**
 * Opens a VRRP channel on an interface, sizes its receive buffer as asked and prints what getsockopt(SO_RCVBUF)
 * says, for a test that runs it inside a network namespace (`ip netns exec NS node receive-buffer-cli.js IF BYTES
 * MTU_MULTIPLE`). Without arguments (the test runner runs every file under dist/test) it does nothing.
 */
import { RawVrrpLink } from '../../transport/real/raw-vrrp-link.js';

const [ifname, bytes, mtuMultiple] = process.argv.slice(2);
if (ifname !== undefined) {
  const channel = new RawVrrpLink().open({ interface: ifname, family: 4, sourceAddress: '0.0.0.0', unicastPeers: [] });
  const before = channel.receiveBufferSize();
  channel.setReceiveBuffer(Number(bytes), Number(mtuMultiple));
  const after = channel.receiveBufferSize();
  channel.close();
  process.stdout.write(`${JSON.stringify({ before, after })}\n`);
}
