import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { IpAddress } from '../../core/attribute/ip-address.js';
import { StringMap } from '../../core/attribute/string-map.js';
import { Timestamp } from '../../core/attribute/timestamp.js';
import { authorizationInput } from './input-document.js';

describe('authorizationInput', () => {
  it("shapes the instance as Istio's opa adapter did: subject and action, groups as a list, properties as JSON", () => {
    const input = authorizationInput({
      name: 'requestcontext.instance.istio-system',
      subject: {
        user: 'spiffe://cluster.local/ns/shop/sa/frontend',
        groups: 'admins',
        properties: { ip: IpAddress.parse('10.1.2.3'), headers: StringMap.fromObject({ 'x-user': 'alice' }), count: 3n, secure: true },
      },
      action: {
        namespace: 'shop',
        service: 'products.shop.svc.cluster.local',
        method: 'GET',
        path: '/products/1',
        properties: { time: Timestamp.parse('2020-01-02T03:04:05Z'), ratio: 0.5 },
      },
    });
    assert.deepEqual(input, {
      subject: {
        user: 'spiffe://cluster.local/ns/shop/sa/frontend',
        groups: ['admins'],
        properties: { ip: '10.1.2.3', headers: { 'x-user': 'alice' }, count: '3', secure: true },
      },
      action: {
        namespace: 'shop',
        service: 'products.shop.svc.cluster.local',
        method: 'GET',
        path: '/products/1',
        properties: { time: '2020-01-02T03:04:05Z', ratio: 0.5 },
      },
    });
  });

  it('leaves out empty strings, absent values and empty property maps', () => {
    const input = authorizationInput({
      name: 'i',
      subject: { user: '', groups: undefined, properties: { gone: undefined } },
      action: { namespace: undefined, service: '', method: 'GET', path: undefined, properties: {} },
    });
    assert.deepEqual(input, { subject: {}, action: { method: 'GET' } });
    assert.equal(JSON.stringify(input), '{"action":{"method":"GET"},"subject":{}}');
  });
});
