import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Duration } from '../../attribute/duration.js';
import { IpAddress } from '../../attribute/ip-address.js';
import { StringMap } from '../../attribute/string-map.js';
import { Timestamp } from '../../attribute/timestamp.js';
import { DictBag } from '../../attribute/dict-bag.js';
import { TrackingBag } from '../../attribute/tracking-bag.js';
import { ExpressionEvaluationError } from '../errors.js';
import { compileCel, evaluate, evaluationError, run } from './test-helpers.js';

const headers = (entries: Record<string, string>): StringMap => StringMap.fromObject(entries);

describe('CEL attributes: missing attributes read as zero values', () => {
  const cases: readonly (readonly [string, unknown])[] = [
    ['as', ''],
    ['ai', 0],
    ['ad', 0],
    ['ab', false],
    ['request.time', Timestamp.EPOCH],
    ['response.duration', Duration.ZERO],
    ['request.headers', StringMap.EMPTY],
    ['source.ip', IpAddress.EMPTY],
    ['test.email', ''],
    ['test.uri', ''],
    ['test.dns', ''],
    ['test.bytes', new Uint8Array(0)],
  ];
  for (const [name, zero] of cases) {
    it(`${name} → its zero value, recorded as absent`, () => {
      const { value, referenced } = run(name);
      assert.deepEqual(value, zero);
      assert.deepEqual(referenced, [`-${name}`]);
    });
  }

  it('makes comparisons with missing attributes succeed', () => {
    assert.equal(evaluate('ai != 2'), true);
    assert.equal(evaluate('request.time + response.duration == context.time'), true);
    assert.equal(evaluate('source.ip == ip("0.0.0.0")'), false);
  });

  it('reads present attributes and records them', () => {
    const { value, referenced } = run('context.reporter.kind == "client"', { 'context.reporter.kind': 'client' });
    assert.equal(value, true);
    assert.deepEqual(referenced, ['context.reporter.kind']);
  });

  it('rejects a bag value of the wrong runtime type with the interpreter texts', () => {
    assert.equal(evaluationError('as', { as: 20 }), "error converting value to string: '20'");
    assert.equal(evaluationError('ai', { ai: 'x' }), "error converting value to integer: 'x'");
    assert.equal(evaluationError('ai', { ai: 2.5 }), "error converting value to integer: '2.5'");
    assert.equal(evaluationError('ad', { ad: 'x' }), "error converting value to double: 'x'");
    assert.equal(evaluationError('ab', { ab: 'x' }), "error converting value to bool: 'x'");
    assert.equal(evaluationError('response.duration', { 'response.duration': 5 }), "error converting value to duration: '5'");
    assert.equal(evaluationError('request.time', { 'request.time': 'x' }), "error converting value to interface: 'x'");
    assert.equal(evaluationError('request.headers', { 'request.headers': 'x' }), "error converting value to interface: 'x'");
  });
});

describe('CEL attributes: has() and the message tree', () => {
  it('tests attribute presence without failing', () => {
    assert.deepEqual(run('has(context.reporter.kind)'), { value: false, referenced: ['-context.reporter.kind'] });
    assert.deepEqual(run('has(context.reporter.kind)', { 'context.reporter.kind': '' }), { value: true, referenced: ['context.reporter.kind'] });
  });

  it('treats inner nodes as always present, reading nothing', () => {
    assert.deepEqual(run('has(context.reporter)'), { value: true, referenced: [] });
  });

  it('tests map keys, recording the key lookup', () => {
    assert.deepEqual(run('has(request.headers.test)'), { value: false, referenced: ['-request.headers'] });
    assert.deepEqual(run('has(request.headers.test)', { 'request.headers': headers({ test: 'x' }) }), {
      value: true,
      referenced: ['request.headers', 'request.headers[test]'],
    });
    assert.equal(evaluate('has({"a": 1}.a)'), true);
    assert.equal(evaluate('has({}.a)'), false);
  });

  it('cannot return an attribute message', () => {
    assert.equal(evaluationError('context'), 'failed to recover of type .context');
    assert.equal(evaluationError('context.reporter'), 'failed to recover of type .context.reporter');
  });

  it('reads through a message value produced by an expression', () => {
    assert.equal(evaluate('(ab ? context : context).reporter.kind', { 'context.reporter.kind': 'x' }), 'x');
    assert.equal(evaluate('dyn(context).reporter.kind', { 'context.reporter.kind': 'y' }), 'y');
    assert.equal(evaluate('has(dyn(context).reporter.kind)'), false);
    assert.equal(evaluationError('context == context'), 'attribute message does not support equality');
  });
});

describe('CEL attributes: string maps', () => {
  it('records present and absent keys', () => {
    assert.deepEqual(run('request.headers["x-user"] == "john"', { 'request.headers': headers({ 'x-user': 'john' }) }), {
      value: true,
      referenced: ['request.headers', 'request.headers[x-user]'],
    });
    assert.deepEqual(run('"app" in source.labels', { 'source.labels': headers({ version: 'v1' }) }), {
      value: false,
      referenced: ['-source.labels[app]', 'source.labels'],
    });
  });

  it('fails on a missing key', () => {
    assert.equal(evaluationError('request.headers["x-user"]'), "no such key: 'x-user'");
    assert.equal(evaluationError('request.headers["x-user"]', { 'request.headers': headers({}) }), "no such key: 'x-user'");
    assert.equal(evaluationError('request.headers.missing', { 'request.headers': headers({}) }), "no such key: 'missing'");
  });

  it('has no equality, size, type or iteration', () => {
    assert.equal(evaluationError('source.labels == request.headers'), 'stringmap does not support equality');
    assert.equal(evaluationError('emptyStringMap() == {"a": "b"}'), 'stringmap does not support equality');
    assert.equal(evaluationError('size(source.labels)', { 'source.labels': headers({ a: 'b' }) }), 'size not implemented on stringmaps');
    assert.equal(evaluationError('source.labels.size()'), 'size not implemented on stringmaps');
    assert.equal(evaluationError('type(source.labels)'), 'cannot convert stringmap to CEL types');
    assert.equal(evaluationError('source.labels.exists(k, true)'), 'stringmap does not support iteration');
  });

  it('returns map literals as string maps when they hold strings', () => {
    const value = evaluate('{"a": "b"}');
    assert.ok(value instanceof StringMap);
    assert.deepEqual(value.toObject(), { a: 'b' });
    assert.equal(evaluate('{}'), StringMap.EMPTY);
  });
});

describe('CEL attributes: pick()', () => {
  it('takes the first present field selection', () => {
    assert.deepEqual(run('pick(request.size, response.code, 100)'), { value: 100, referenced: ['-request.size', '-response.code'] });
    assert.deepEqual(run('pick(request.size, response.code, 100)', { 'request.size': 0 }), { value: 0, referenced: ['request.size'] });
    assert.deepEqual(run('pick(request.size, response.code, 100)', { 'response.code': 7 }), {
      value: 7,
      referenced: ['-request.size', 'response.code'],
    });
  });

  it('takes the first present map key', () => {
    assert.deepEqual(run('pick(source.labels["app"], "unknown")'), { value: 'unknown', referenced: ['-source.labels'] });
    assert.deepEqual(run('pick(source.labels["app"], "unknown")', { 'source.labels': headers({ app: 'ratings' }) }), {
      value: 'ratings',
      referenced: ['source.labels', 'source.labels[app]'],
    });
  });

  it('takes any other argument unconditionally', () => {
    assert.deepEqual(run('pick(as, "x")'), { value: '', referenced: ['-as'] });
    assert.deepEqual(run('pick("first", source.name)'), { value: 'first', referenced: [] });
    assert.deepEqual(run('pick(toLower(as), "x")', { as: 'A' }), { value: 'a', referenced: ['as'] });
  });

  it("works with Istio's conditional()", () => {
    assert.equal(evaluate('conditional(pick(context.reporter.kind, "inbound") == "outbound", "client", "server")'), 'server');
    assert.equal(evaluate('conditional(ab, 1, 2)', { ab: true }), 1);
  });
});

describe('CEL attributes: argument evaluation and references', () => {
  function referencesOfFailure(text: string): string[] {
    const bag = new TrackingBag(DictBag.of({}));
    assert.throws(() => compileCel(text).evaluate(bag), ExpressionEvaluationError);
    return bag.referenced.toStrings();
  }

  it('evaluates every call argument, so reads after a failing argument are recorded', () => {
    assert.deepEqual(referencesOfFailure('request.headers["x"] == source.name'), ['-request.headers', '-source.name']);
    assert.deepEqual(referencesOfFailure('size(request.headers["x"]) + size(as) > 0'), ['-as', '-request.headers']);
    assert.deepEqual(referencesOfFailure('match(request.headers["x"], bs)'), ['-bs', '-request.headers']);
  });
});
