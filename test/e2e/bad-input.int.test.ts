import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { resource, startMixer, type RunningMixer } from '../support/mixer-harness.js';

describe('bad input to the HTTP API', () => {
  let mixer: RunningMixer;
  before(async () => {
    mixer = await startMixer({
      'rule.yaml': [
        resource('handler', 'deny', 'compiledAdapter: denier'),
        resource('instance', 'nothing', 'compiledTemplate: checknothing'),
        resource('rule', 'bigrequests', 'match: request.size > 1000\nactions:\n- handler: deny\n  instances: [ nothing ]'),
      ].join(''),
    });
  });
  after(() => mixer.close());

  test('a declared attribute of the wrong type is a 400 naming the attribute and the type', async () => {
    const { status, body } = await mixer.post('/v1/check', { attributes: { 'request.size': 'big' } });
    assert.equal(status, 400);
    assert.equal(body['error'], 'attributes: request.size: expected INT64, got "big"');
    const map = await mixer.post('/v1/check', { attributes: { 'request.headers': { a: 1 } } });
    assert.equal(map.status, 400);
    assert.match(String(map.body['error']), /request\.headers: key "a": expected a string value/);
  });

  test('an undeclared attribute is accepted with the type of its JSON value', async () => {
    const { status, body } = await mixer.check({ attributes: { 'my.custom.flag': true, 'my.custom.count': 3, 'request.size': 10 } });
    assert.equal(status, 200);
    assert.equal(body.precondition.status.code, 0);
  });

  test('malformed bodies are 400s with a reason, never 500s', async () => {
    const cases: [unknown, string, RegExp][] = [
      ['{"attributes": ', 'application/json', /JSON/i],
      ['[]', 'application/json', /must be a JSON object/],
      ['"text"', 'application/json', /must be a JSON object/],
      [{ attributes: [] }, 'application/json', /attributes: expected an object/],
      [{ attributes: {}, extra: 1 }, 'application/json', /unknown field 'extra'/],
      [{ quotas: { q: { amount: 1.5 } } }, 'application/json', /quotas\.q\.amount: expected an integer/],
      [{ quotas: { q: { amount: 1, bestEffort: 'yes' } } }, 'application/json', /bestEffort/],
      [{ attributes: { x: [1] } }, 'application/json', /x: undeclared attribute/],
    ];
    for (const [body, type, message] of cases) {
      const response = await mixer.post('/v1/check', body, type);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.match(String(response.body['error']), message);
      assert.ok(!JSON.stringify(response.body).includes('at '), 'no stack trace');
    }
    const report = await mixer.post('/v1/report', { attributes: {} });
    assert.equal(report.status, 400);
    const text = await mixer.post('/v1/check', 'attributes=1', 'text/plain');
    assert.equal(text.status, 400);
    const xml = await mixer.post('/v1/check', '<check/>', 'application/xml');
    assert.equal(xml.status, 415);
  });

  test('unknown routes are 404 and the server keeps answering', async () => {
    assert.equal((await mixer.get('/v2/nothing')).status, 404);
    assert.equal((await mixer.get('/healthz')).status, 200);
    const { body } = await mixer.check({ attributes: { 'request.size': 2000 } });
    assert.equal(body.precondition.status.code, 9);
  });
});
