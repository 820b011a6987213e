import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { fullMetricName, isValidLabelName, isValidMetricName, sanitize } from './names.js';

describe('prometheus names', () => {
  it('sanitises like Istio: leading / removed, / . space to _, - deleted', () => {
    assert.equal(sanitize('requestcount.instance.istio-system'), 'requestcount_instance_istiosystem');
    assert.equal(sanitize('/a/b c.d-e'), 'a_b_c_de');
    assert.equal(sanitize('//x'), '_x');
    assert.equal(sanitize('requests_total'), 'requests_total');
  });

  it('joins namespace (default istio) and name (default the instance name)', () => {
    assert.equal(fullMetricName('', 'requests_total', 'requestcount.instance.istio-system'), 'istio_requests_total');
    assert.equal(fullMetricName('', '', 'requestcount.instance.istio-system'), 'istio_requestcount_instance_istiosystem');
    assert.equal(fullMetricName('my-app.ns', 'a b', 'x'), 'myapp_ns_a_b');
    assert.equal(fullMetricName('-', 'count', 'x'), 'count', 'an empty sanitised namespace is left out, as BuildFQName does');
    assert.equal(fullMetricName('istio', '-', 'x'), '', 'no name, no metric');
  });

  it("knows Prometheus's name rules", () => {
    assert.ok(isValidMetricName('istio_requests_total'));
    assert.ok(isValidMetricName('a:b'));
    assert.ok(!isValidMetricName('1abc'));
    assert.ok(!isValidMetricName(''));
    assert.ok(!isValidMetricName('a+b'));
    assert.ok(isValidLabelName('source_app'));
    assert.ok(!isValidLabelName('a:b'));
    assert.ok(!isValidLabelName('__name__'));
    assert.ok(!isValidLabelName('9lives'));
  });
});
