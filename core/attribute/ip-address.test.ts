import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { MixerError } from '../errors/mixer-error.js';
import { IpAddress, IpAddressParseError, parseNetipAddr } from './ip-address.js';

// Expected values were produced by Go 1.26's net.ParseIP(text).String(), netip.ParseAddr,
// net.IP(bytes).String() and net.IP.Equal (a differential oracle run outside this repository).

/** [text, Go's net.ParseIP(text).String(), or undefined when ParseIP returns nil] */
const PARSED: ReadonlyArray<readonly [string, string | undefined]> = [
  ['0.0.0.0', '0.0.0.0'],
  ['1.2.3.4', '1.2.3.4'],
  ['10.1.12.3', '10.1.12.3'],
  ['255.255.255.255', '255.255.255.255'],
  ['::', '::'],
  ['::1', '::1'],
  ['1::', '1::'],
  ['::ffff:1.2.3.4', '1.2.3.4'],
  ['::ffff:0102:0304', '1.2.3.4'],
  ['::FFFF:1.2.3.4', '1.2.3.4'],
  ['0:0:0:0:0:ffff:1.2.3.4', '1.2.3.4'],
  ['::1.2.3.4', '::102:304'],
  ['64:ff9b::1.2.3.4', '64:ff9b::102:304'],
  ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
  ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
  ['2001:db8::1', '2001:db8::1'],
  ['2001:DB8::1', '2001:db8::1'],
  ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
  ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
  ['0:0:1:0:0:1:0:0', '::1:0:0:1:0:0'],
  ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
  ['1:0:0:0:2:0:0:3', '1::2:0:0:3'],
  ['fe80::', 'fe80::'],
  ['ffff::ffff:ffff', 'ffff::ffff:ffff'],
  ['::ffff:ffff:ffff', '255.255.255.255'],
  ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
  ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
  ['1:2:3:4:5:6::8', '1:2:3:4:5:6:0:8'],
  ['', undefined],
  ['10.1.12', undefined],
  ['1.2.3.4.5', undefined],
  ['256.1.1.1', undefined],
  ['01.2.3.4', undefined],
  ['1.02.3.4', undefined],
  ['0.0.0.00', undefined],
  ['1..2.3', undefined],
  ['.1.2.3', undefined],
  ['1.2.3.', undefined],
  ['1.2.3.4 ', undefined],
  [' 1.2.3.4', undefined],
  ['1.2.3.-4', undefined],
  ['1.2.3.4:80', undefined],
  ['[::1]', undefined],
  ['abc', undefined],
  ['1:2:3:4:5:6:7:8:9', undefined],
  ['1::2::3', undefined],
  [':1::', undefined],
  ['1:::2', undefined],
  ['12345::', undefined],
  ['::g', undefined],
  ['fe80::1%eth0', undefined],
  ['fe80::1%', undefined],
  ['%eth0', undefined],
  ['::ffff:1.2.3.4%x', undefined],
  ['1:2:3:4:5:6:7:1.2.3.4', undefined],
  ['1:2:3:4:5:6:7::1.2.3.4', undefined],
  ['::1.2.3', undefined],
  ['::01.2.3.4', undefined],
  ['1:2:3:4:5:6:7', undefined],
  [':', undefined],
  [':::', undefined],
];

/** [text, netip.ParseAddr result: the error, or the zone and whether it is IPv4] */
const NETIP: ReadonlyArray<readonly [string, { error: string } | { text: string; zone: string; is4: boolean }]> = [
  ['', { error: 'ParseAddr(""): unable to parse IP' }],
  ['abc', { error: 'ParseAddr("abc"): unable to parse IP' }],
  ['%x', { error: 'ParseAddr("%x"): missing IPv6 address' }],
  ['1.2.3', { error: 'ParseAddr("1.2.3"): IPv4 address too short' }],
  ['1.2.3.4.5', { error: 'ParseAddr("1.2.3.4.5"): IPv4 address too long' }],
  ['256.1.1.1', { error: 'ParseAddr("256.1.1.1"): IPv4 field has value >255' }],
  ['01.2.3.4', { error: 'ParseAddr("01.2.3.4"): IPv4 field has octet with leading zero' }],
  ['1..2.3', { error: 'ParseAddr("1..2.3"): IPv4 field must have at least one digit (at ".2.3")' }],
  ['.1.2.3', { error: 'ParseAddr(".1.2.3"): IPv4 field must have at least one digit (at ".1.2.3")' }],
  ['1.2.3.', { error: 'ParseAddr("1.2.3."): IPv4 field must have at least one digit (at ".")' }],
  ['1.2.3.4:80', { error: 'ParseAddr("1.2.3.4:80"): unexpected character (at ":80")' }],
  ['fe80::1%eth0', { text: 'fe80::1%eth0', zone: 'eth0', is4: false }],
  ['fe80::1%', { error: 'ParseAddr("fe80::1%"): zone must be a non-empty string' }],
  ['1::2::3', { error: 'ParseAddr("1::2::3"): multiple :: in address (at ":3")' }],
  ['12345::', { error: 'ParseAddr("12345::"): each group must have 4 or less digits (at "12345::")' }],
  ['1:2:3:4:5:6:7:8:9', { error: 'ParseAddr("1:2:3:4:5:6:7:8:9"): trailing garbage after address (at "9")' }],
  ['1:2:3:4:5:6:7:8::', { error: 'ParseAddr("1:2:3:4:5:6:7:8::"): the :: must expand to at least one field of zeros' }],
  ['1:2:3:4:5:6:7', { error: 'ParseAddr("1:2:3:4:5:6:7"): address string too short' }],
  ['::g', { error: 'ParseAddr("::g"): each colon-separated field must have at least one digit (at "g")' }],
  ['1:', { error: 'ParseAddr("1:"): colon must be followed by more characters (at ":")' }],
  [':1::', { error: 'ParseAddr(":1::"): each colon-separated field must have at least one digit (at ":1::")' }],
  ['1:2:3:4:5:6:7:1.2.3.4', { error: 'ParseAddr("1:2:3:4:5:6:7:1.2.3.4"): embedded IPv4 address must replace the final 2 fields of the address (at "1.2.3.4")' }],
  ['1:2:3:4:5:6:7::1.2.3.4', { error: 'ParseAddr("1:2:3:4:5:6:7::1.2.3.4"): too many hex fields to fit an embedded IPv4 at the end of the address (at "1.2.3.4")' }],
  ['::1.2.3', { error: 'ParseAddr("::1.2.3"): IPv4 address too short' }],
  ['1.2.3.4%x', { error: 'ParseAddr("1.2.3.4%x"): unexpected character (at "%x")' }],
  ['::ffff:1.2.3.4%eth0', { text: '::ffff:1.2.3.4%eth0', zone: 'eth0', is4: false }],
];

/** [hex bytes, net.IP(bytes).String()] */
const PRINTED: ReadonlyArray<readonly [string, string]> = [
  ['', '<nil>'],
  ['01020304', '1.2.3.4'],
  ['00000000000000000000ffff01020304', '1.2.3.4'],
  ['00000000000000000000000001020304', '::102:304'],
  ['20010db8000000000000000000000001', '2001:db8::1'],
  ['0102', '?0102'],
  ['0102030405', '?0102030405'],
  ['00000000000000000000fffe01020304', '::fffe:102:304'],
];

/** [hex bytes, hex bytes, net.IP.Equal] */
const EQUAL: ReadonlyArray<readonly [string, string, boolean]> = [
  ['01020304', '00000000000000000000ffff01020304', true],
  ['00000000000000000000ffff01020304', '01020304', true],
  ['01020304', '00000000000000000000000001020304', false],
  ['01020304', '01020305', false],
  ['', '', true],
  ['', '01020304', false],
  ['0102', '0102', true],
  ['20010db8000000000000000000000001', '20010db8000000000000000000000001', true],
];

const fromHex = (hex: string): IpAddress => IpAddress.fromBytes(Uint8Array.from(Buffer.from(hex, 'hex')));

describe('IpAddress.parse (Go net.ParseIP)', () => {
  for (const [text, printed] of PARSED) {
    it(`${printed === undefined ? 'rejects' : 'accepts'} ${JSON.stringify(text)}`, () => {
      const parsed = IpAddress.tryParse(text);
      if (printed === undefined) {
        assert.equal(parsed, undefined);
        assert.throws(
          () => IpAddress.parse(text),
          (error: unknown) =>
            error instanceof IpAddressParseError &&
            error.message === `could not convert ${text} to IP_ADDRESS` &&
            MixerError.is(error),
        );
        return;
      }
      assert.ok(parsed !== undefined);
      assert.equal(parsed.bytes.length, 16);
      assert.equal(parsed.toString(), printed);
      assert.equal(parsed.toJSON(), printed);
    });
  }

  it('stores IPv4 in the IPv4-mapped 16-byte form', () => {
    assert.deepEqual([...IpAddress.parse('1.2.3.4').bytes], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4]);
    assert.deepEqual([...(IpAddress.parse('1.2.3.4').toIpv4() ?? [])], [1, 2, 3, 4]);
    assert.equal(IpAddress.parse('::1').toIpv4(), undefined);
  });
});

describe('parseNetipAddr (Go netip.ParseAddr)', () => {
  for (const [text, expected] of NETIP) {
    it(`handles ${JSON.stringify(text)}`, () => {
      const result = parseNetipAddr(text);
      if ('error' in expected) {
        assert.deepEqual(result, { ok: false, error: expected.error });
        return;
      }
      assert.ok(result.ok);
      assert.equal(result.zone, expected.zone);
      assert.equal(result.bytes.length === 4, expected.is4);
      const withoutZone = expected.text.slice(0, expected.text.length - expected.zone.length - (expected.zone === '' ? 0 : 1));
      assert.ok(IpAddress.fromBytes(result.bytes).equals(IpAddress.parse(withoutZone)));
    });
  }

  it('quotes with the given quoter (net/url passes one for byte strings)', () => {
    const result = parseNetipAddr('x', (text) => `<${text}>`);
    assert.deepEqual(result, { ok: false, error: 'ParseAddr(<x>): unable to parse IP' });
  });
});

describe('IpAddress.toString (Go net.IP.String)', () => {
  for (const [hex, printed] of PRINTED) {
    it(`prints ${hex || 'no bytes'}`, () => {
      // Go prints "<nil>" for an empty IP; this project deliberately prints "".
      assert.equal(fromHex(hex).toString(), printed === '<nil>' ? '' : printed);
    });
  }

  it('treats the empty address as empty', () => {
    assert.ok(IpAddress.EMPTY.isEmpty);
    assert.equal(IpAddress.EMPTY.toString(), '');
    assert.ok(!IpAddress.parse('::').isEmpty);
  });
});

describe('IpAddress.equals (Go net.IP.Equal)', () => {
  for (const [left, right, equal] of EQUAL) {
    it(`${left || 'empty'} ${equal ? '==' : '!='} ${right || 'empty'}`, () => {
      assert.equal(fromHex(left).equals(fromHex(right)), equal);
      assert.equal(fromHex(left).key() === fromHex(right).key(), equal);
    });
  }

  it('compares parsed addresses by value', () => {
    assert.ok(IpAddress.parse('2001:DB8::1').equals(IpAddress.parse('2001:db8:0:0:0:0:0:1')));
    assert.ok(!IpAddress.parse('1.2.3.4').equals(IpAddress.parse('4.5.6.7')));
  });

  it('copies the bytes it is given', () => {
    const bytes = Uint8Array.from([1, 2, 3, 4]);
    const address = IpAddress.fromBytes(bytes);
    bytes[0] = 9;
    assert.equal(address.toString(), '1.2.3.4');
  });
});
