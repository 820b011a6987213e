import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { IpAddress } from '../../attribute/ip-address.js';
import { ExpressionEvaluationError } from '../errors.js';
import { toIpAddress } from './ip.js';

// Expected values were produced by Istio's ExternIP compiled with Go 1.26, printing the result
// with net.IP.String() (a differential oracle run outside this repository).

/** [input, the address as Go prints it, or undefined when ip() fails] */
const CONVERTED: ReadonlyArray<readonly [string, string | undefined]> = [
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

describe('toIpAddress (CEXL ip)', () => {
  for (const [input, printed] of CONVERTED) {
    it(`converts ${JSON.stringify(input)}`, () => {
      if (printed === undefined) {
        assert.throws(
          () => toIpAddress(input),
          (error: unknown) =>
            error instanceof ExpressionEvaluationError && error.message === `could not convert ${input} to IP_ADDRESS`,
        );
      } else {
        const address = toIpAddress(input);
        assert.ok(address instanceof IpAddress);
        assert.equal(address.toString(), printed);
      }
    });
  }

  it('matches the conformance vectors (ids 46, 227, 250)', () => {
    assert.equal(toIpAddress('0.0.0.0').toString(), '0.0.0.0');
    assert.equal(toIpAddress('1.2.3.4').toString(), '1.2.3.4');
    assert.throws(() => toIpAddress('10.1.12'), { message: 'could not convert 10.1.12 to IP_ADDRESS' });
  });

  it('compares like ip_equal (4-byte and mapped 16-byte IPv4 are equal)', () => {
    const fourBytes = IpAddress.fromBytes(Uint8Array.from([1, 2, 3, 4]));
    assert.ok(toIpAddress('1.2.3.4').equals(fourBytes));
    assert.ok(toIpAddress('::ffff:1.2.3.4').equals(fourBytes));
    assert.ok(!toIpAddress('::1.2.3.4').equals(fourBytes));
    assert.ok(!toIpAddress('1.2.3.4').equals(toIpAddress('4.5.6.7')));
  });
});
