import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { IpAddress } from '../../core/attribute/ip-address.js';
import { CidrParseError, IpNetwork } from './ip-network.js';

const ip = (text: string) => IpAddress.parse(text);

describe('IpNetwork.parseCidr', () => {
  it('masks the address and keeps the prefix (Go net.ParseCIDR)', () => {
    assert.equal(IpNetwork.parseCidr('10.1.2.3/8').toString(), '10.0.0.0/8');
    assert.equal(IpNetwork.parseCidr('192.168.7.255/23').toString(), '192.168.6.0/23');
    assert.equal(IpNetwork.parseCidr('0.0.0.0/0').toString(), '0.0.0.0/0');
    assert.equal(IpNetwork.parseCidr('2001:db8:abcd::1/33').toString(), '2001:db8:8000::/33');
    assert.equal(IpNetwork.parseCidr('::/0').toString(), '::/0');
  });

  it('treats IPv6 text whose masked address is IPv4-mapped as an IPv4 network', () => {
    const network = IpNetwork.parseCidr('::ffff:10.9.8.7/104');
    assert.equal(network.isIpv4, true);
    assert.equal(network.toString(), '10.0.0.0/8');
  });

  it('rejects what Go rejects with Go\'s message', () => {
    for (const text of ['10.0.0.0', '10.0.0.0/33', '::/129', '10.0.0/8', '10.0.0.0/-1', '10.0.0.0/', '10.0.0.0/8x', 'abc/8', 'fe80::1%eth0/64']) {
      assert.throws(() => IpNetwork.parseCidr(text), (error: unknown) => error instanceof CidrParseError && error.message === `invalid CIDR address: ${text}`, text);
    }
  });
});

describe('IpNetwork.parseEntry', () => {
  it('reads a bare IPv4 address as /32 and a bare IPv6 address as /128', () => {
    assert.equal(IpNetwork.parseEntry('10.1.2.3').toString(), '10.1.2.3/32');
    assert.equal(IpNetwork.parseEntry('2001:db8::1').toString(), '2001:db8::1/128');
    assert.equal(IpNetwork.parseEntry('2001:db8::1').contains(ip('2001:db8::2')), false);
  });
});

describe('IpNetwork.contains', () => {
  it('matches IPv4 prefixes bit-exactly', () => {
    const network = IpNetwork.parseCidr('192.168.6.0/23');
    assert.equal(network.contains(ip('192.168.6.0')), true);
    assert.equal(network.contains(ip('192.168.7.255')), true);
    assert.equal(network.contains(ip('192.168.8.0')), false);
    assert.equal(network.contains(ip('192.168.5.255')), false);
    assert.equal(IpNetwork.parseCidr('10.0.0.1/32').contains(ip('10.0.0.1')), true);
    assert.equal(IpNetwork.parseCidr('10.0.0.1/32').contains(ip('10.0.0.2')), false);
    assert.equal(IpNetwork.parseCidr('0.0.0.0/0').contains(ip('255.255.255.255')), true);
  });

  it('matches IPv6 prefixes bit-exactly', () => {
    const network = IpNetwork.parseCidr('2001:db8:8000::/33');
    assert.equal(network.contains(ip('2001:db8:8000::1')), true);
    assert.equal(network.contains(ip('2001:db8:ffff:ffff::')), true);
    assert.equal(network.contains(ip('2001:db8:7fff:ffff::')), false);
    assert.equal(IpNetwork.parseCidr('fe80::/10').contains(ip('febf::1')), true);
    assert.equal(IpNetwork.parseCidr('fe80::/10').contains(ip('fec0::1')), false);
  });

  it('keeps the families apart, as Go does', () => {
    assert.equal(IpNetwork.parseCidr('::/0').contains(ip('1.2.3.4')), false);
    assert.equal(IpNetwork.parseCidr('::/0').contains(ip('::ffff:1.2.3.4')), false);
    assert.equal(IpNetwork.parseCidr('0.0.0.0/0').contains(ip('::1')), false);
    assert.equal(IpNetwork.parseCidr('10.0.0.0/8').contains(ip('::ffff:10.1.1.1')), true);
    assert.equal(IpNetwork.parseCidr('::ffff:10.0.0.0/104').contains(ip('10.200.0.1')), true);
    assert.equal(IpNetwork.parseCidr('10.0.0.0/8').contains(IpAddress.fromBytes(new Uint8Array([10, 2, 3, 4]))), true);
    assert.equal(IpNetwork.parseCidr('10.0.0.0/8').contains(IpAddress.EMPTY), false);
  });
});
