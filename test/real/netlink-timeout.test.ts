/**
 * A netlink request whose answer never comes fails after its bound, with a message that names it (before, the
 * caller waited forever: a VIP change, a VMAC, a reload stuck behind it). The request goes to a netlink socket of
 * our own that never answers, instead of the kernel; the generic netlink one (IPVS) is a message the kernel skips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNetlink, createRtNetlink, Protocol } from '../../transport/real/netlink-package.js';
import { bounded } from '../../transport/real/netlink-common.js';
import { SocketGenlChannel } from '../../transport/real/lb/genl-channel.js';

test('a netlink request nobody answers fails with ETIMEDOUT after its bound, naming the request', async (t) => {
  if (process.getuid?.() !== 0) {
    t.skip('sending to another netlink socket needs CAP_NET_ADMIN (root)');
    return;
  }
  const silent = createNetlink(Protocol.ROUTE);
  const requests = createRtNetlink();
  let heard = 0;
  silent.on('message', () => heard++);
  try {
    const port = silent.address().port;
    await assert.rejects(
      bounded('RTM_GETLINK (dump)', (o) => requests.getLinks(undefined, undefined, { ...o, port }), 200),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'ETIMEDOUT');
        assert.equal(error.message, 'netlink RTM_GETLINK (dump): no answer from the kernel within 200 ms');
        return true;
      },
    );
    assert.equal(heard, 1, 'the request reached the silent socket');
    // The same request to the kernel is answered well within the bound.
    const links = await bounded('RTM_GETLINK (dump)', (o) => requests.getLinks(undefined, undefined, o), 5000);
    assert.ok(links.some((l) => l.attrs.ifname === 'lo'));
  } finally {
    silent.close();
    requests.socket.close();
  }
});

test('a generic netlink request the kernel does not answer fails with ETIMEDOUT after its bound; the channel goes on', async () => {
  const channel = new SocketGenlChannel(200);
  try {
    // A message without NLM_F_REQUEST: the kernel skips it and sends nothing back (netlink_rcv_skb).
    const unanswered = (seq: number): Uint8Array => {
      const header = Buffer.alloc(16);
      header.writeUInt32LE(16, 0); // nlmsg_len
      header.writeUInt16LE(0x10, 4); // GENL_ID_CTRL
      header.writeUInt16LE(0, 6); // no flags
      header.writeUInt32LE(seq, 8);
      return header;
    };
    await assert.rejects(channel.request(unanswered, 'CTRL_CMD_NOTHING'), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ETIMEDOUT');
      assert.equal(error.message, 'CTRL_CMD_NOTHING: no answer from the kernel within 200 ms');
      return true;
    });
    // The channel still answers the next request (nlctrl is always there).
    assert.equal(typeof (await channel.resolveFamily('nlctrl')), 'number');
  } finally {
    channel.close();
  }
});
