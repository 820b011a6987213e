import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { IpAddress } from '../../core/attribute/ip-address.js';
import { StringMap } from '../../core/attribute/string-map.js';
import type { AuthorizationInstance } from '../../templates/definitions.js';
import type { InstanceValue } from '../../templates/template.js';
import { RequestFacts } from './request-facts.js';

function facts(subject: Record<string, InstanceValue> = {}, action: Record<string, InstanceValue> = {}, fields: { user?: string; path?: string; namespace?: string } = {}): RequestFacts {
  const instance: AuthorizationInstance = {
    name: 'i',
    subject: { user: fields.user, groups: undefined, properties: subject },
    action: { namespace: fields.namespace, service: undefined, method: undefined, path: fields.path, properties: action },
  };
  return new RequestFacts(instance);
}

describe('request facts (the instance convention)', () => {
  it('strips spiffe:// from the principal and reads the namespace from it when none is given', () => {
    const spiffe = facts({}, {}, { user: 'spiffe://cluster.local/ns/shop/sa/cart' });
    assert.equal(spiffe.user, 'spiffe://cluster.local/ns/shop/sa/cart');
    assert.equal(spiffe.principal, 'cluster.local/ns/shop/sa/cart');
    assert.equal(spiffe.namespace, 'shop');
    assert.equal(facts({ namespace: 'given' }, {}, { user: 'cluster.local/ns/shop/sa/cart' }).namespace, 'given');
    assert.equal(facts({}, {}, { user: 'no-namespace-here' }).namespace, undefined);
    assert.equal(facts({}, {}, { user: 'td/ns/last' }).namespace, 'last');
    assert.equal(facts({}, {}, { user: '' }).principal, undefined);
  });

  it('reads IPs as addresses, bytes or text; the unspecified address is none', () => {
    assert.equal(facts({ ip: IpAddress.parse('10.0.0.1') }).sourceIp?.toString(), '10.0.0.1');
    assert.equal(facts({ ip: Uint8Array.of(10, 0, 0, 2) }).sourceIp?.toString(), '10.0.0.2');
    assert.equal(facts({ ip: '2001:db8::1' }).sourceIp?.toString(), '2001:db8::1');
    assert.equal(facts({ ip: 'not an ip' }).sourceIp, undefined);
    assert.equal(facts({ ip: IpAddress.parse('0.0.0.0') }).sourceIp, undefined);
    assert.equal(facts({ ip: IpAddress.parse('::') }).sourceIp, undefined);
    assert.equal(facts({ ip: IpAddress.EMPTY }).sourceIp, undefined);
    assert.equal(facts({ remoteIp: '1.2.3.4' }).remoteIp?.toString(), '1.2.3.4', 'remote_ip or remoteIp');
  });

  it('reads ports from INT64 or digits; 0 and out-of-range ports are none', () => {
    assert.equal(facts({}, { port: 9080 }).port, 9080);
    assert.equal(facts({}, { port: 443n }).port, 443);
    assert.equal(facts({}, { port: '8080' }).port, 8080);
    assert.equal(facts({}, { port: 0 }).port, undefined);
    assert.equal(facts({}, { port: 70000 }).port, undefined);
    assert.equal(facts({}, { port: 'http' }).port, undefined);
  });

  it('drops the query and fragment from the path, keeping the raw path for ServiceRoles', () => {
    const request = facts({}, {}, { path: '/a/b?x=1#top' });
    assert.equal(request.path, '/a/b');
    assert.equal(request.rawPath, '/a/b?x=1#top');
    assert.equal(facts({}, {}, { path: '?x' }).path, undefined);
  });

  it('reads headers, claims and labels from STRING_MAPs; the host falls back to :authority, then host', () => {
    const headers = StringMap.fromObject({ ':authority': 'a.example', host: 'b.example', 'x-user': 'alice' });
    const request = facts({ headers, claims: StringMap.fromObject({ sub: 'alice', empty: '' }) }, { labels: StringMap.fromObject({ app: 'web' }) });
    assert.equal(request.header('x-user'), 'alice');
    assert.equal(request.claim('sub'), 'alice');
    assert.equal(request.claim('empty'), undefined);
    assert.equal(request.label('app'), 'web');
    assert.equal(request.host, 'a.example');
    assert.equal(facts({ headers: StringMap.fromObject({ host: 'b.example' }) }).host, 'b.example');
    assert.equal(facts({ headers }, { host: 'c.example' }).host, 'c.example');
    assert.equal(facts({ headers: 'not a map' }).header('x-user'), undefined);
  });
});
