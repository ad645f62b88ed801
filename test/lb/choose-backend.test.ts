import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseBackend } from '../../transport/real/lb/choose-backend.js';
import { IPVS_UNAVAILABLE } from '../../transport/real/lb/ipvs-backend.js';
import { ExecNftRunner } from '../../transport/real/lb/nft-runner.js';
import { commandAvailable, createLan, requireNetns } from '../netns/harness.js';

const noIpvs = async () => ({ ok: false as const, reason: IPVS_UNAVAILABLE });
const withIpvs = async () => ({ ok: true as const, familyId: 0x23 });
const nftOk = async () => ({ ok: true as const, version: 'nftables v1.0.6' });
const nftNo = async () => ({ ok: false as const, reason: 'nftables not usable: nft: not found' });

test('auto prefers IPVS, falls back to nftables with the reason, fails with both reasons', async () => {
  const a = await chooseBackend('auto', { probeIpvs: withIpvs, probeNftables: nftOk });
  assert.equal(a.backend.name, 'ipvs');
  assert.equal(a.statement, 'load balancer: ipvs (auto; generic netlink family id 35)');
  (a.backend as { close?: () => void }).close?.();
  const b = await chooseBackend('auto', { probeIpvs: noIpvs, probeNftables: nftOk });
  assert.equal(b.backend.name, 'nftables');
  assert.equal(b.statement, `load balancer: nftables (auto; ${IPVS_UNAVAILABLE}; nftables v1.0.6, tables ip/ip6 vigil)`);
  await assert.rejects(chooseBackend('auto', { probeIpvs: noIpvs, probeNftables: nftNo }), /no load-balancer backend: IPVS not available .*; nftables not usable/);
});

test('an explicit lvs_backend is honoured or refused, never swapped', async () => {
  await assert.rejects(chooseBackend('ipvs', { probeIpvs: noIpvs, probeNftables: nftOk }), { name: 'BackendUnavailableError', message: `lvs_backend ipvs: ${IPVS_UNAVAILABLE}` });
  let probedIpvs = false;
  const n = await chooseBackend('nftables', { probeIpvs: async () => ((probedIpvs = true), withIpvs()), probeNftables: nftOk });
  assert.equal(n.backend.name, 'nftables');
  assert.equal(probedIpvs, false);
});

test('auto on this machine, for real (probes in a namespace)', async (t) => {
  if (!requireNetns(t, () => commandAvailable('nft'))) return;
  const lan = await createLan({ name: 'lbsel', hosts: ['director'], v4Prefix: '192.168.77.X' });
  try {
    const selection = await chooseBackend('auto', { nftRunner: new ExecNftRunner({ netns: lan.host('director').ns }) });
    t.diagnostic(selection.statement);
    if (selection.backend.name === 'ipvs') (selection.backend as { close?: () => void }).close?.();
    else assert.match(selection.statement, /^load balancer: nftables \(auto; IPVS not available in this kernel \(no "IPVS" generic netlink family\); nftables v/);
  } finally {
    await lan.cleanup();
  }
});
