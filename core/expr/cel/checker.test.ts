import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AttributeManifest } from '../../attribute/manifest.js';
import { ValueType } from '../../attribute/value-type.js';
import { ExpressionCompileError } from '../errors.js';
import { ExpressionLanguage } from '../expression.js';
import { CelExpressionCompiler } from './cel-compiler.js';
import { compileCel, compileError } from './test-helpers.js';

function message(text: string): string {
  return compileError(text).message;
}

describe('CEL checker: the attribute tree', () => {
  it('types leaves by their attribute type and inner nodes as messages', () => {
    assert.equal(compileCel('context.reporter.kind').celType, 'string');
    assert.equal(compileCel('context.reporter').celType, '.context.reporter');
    assert.equal(compileCel('context').celType, '.context');
    assert.equal(compileCel('request.headers').celType, 'map(string, string)');
    assert.equal(compileCel('source.ip').celType, 'istio.policy.v1beta1.IPAddress');
    assert.equal(compileCel('test.email').celType, 'istio.policy.v1beta1.EmailAddress');
    assert.equal(compileCel('test.uri').celType, 'istio.policy.v1beta1.Uri');
    assert.equal(compileCel('test.dns').celType, 'istio.policy.v1beta1.DNSName');
    assert.equal(compileCel('request.time').celType, 'google.protobuf.Timestamp');
    assert.equal(compileCel('response.duration').celType, 'google.protobuf.Duration');
  });

  it('rejects unknown and non-leaf fields', () => {
    assert.match(message('context.report'), /undefined field 'report'/);
    assert.match(message('has(context.report)'), /undefined field 'report'/);
    assert.match(message('has(request.header.test)'), /undefined field 'header'/);
    assert.match(message('nothing'), /undeclared reference to 'nothing' \(in container ''\)/);
    assert.match(message('context.reporter == "client"'), /found no matching overload for '_==_' applied to '\(\.context\.reporter, string\)'/);
  });

  it('rejects field selection on values that are not messages or maps', () => {
    assert.match(message('request.size.length'), /type 'int' does not support field selection/);
    assert.match(message('"abc".x'), /type 'string' does not support field selection/);
    assert.match(message('source.ip.bytes'), /undefined field 'bytes'/);
  });

  it('keeps a leaf that also has children a leaf, as Istio does', () => {
    const manifest = AttributeManifest.of({ 'a.b': 'STRING', 'a.b.c': 'INT64' });
    const compiler = new CelExpressionCompiler(manifest, ExpressionLanguage.CEL);
    assert.equal(compiler.compile('a.b').type, ValueType.STRING);
    assert.throws(() => compiler.compile('a.b.c'), /does not support field selection/);
  });
});

describe('CEL checker: overloads', () => {
  it('reports no matching overload with the argument types', () => {
    assert.match(message('context.reporter.kind == 2'), /found no matching overload for '_==_' applied to '\(string, int\)'/);
    assert.match(message('request.headers[1]'), /found no matching overload for '_\[_\]' applied to '\(map\(string, string\), int\)'/);
    assert.match(message('size(source.ip)'), /found no matching overload for 'size' applied to '\(istio\.policy\.v1beta1\.IPAddress\)'/);
    assert.match(message('"a".startsWith(1)'), /found no matching overload for 'startsWith' applied to 'string\.\(int\)'/);
    assert.match(message('1 + "a"'), /'_\+_' applied to '\(int, string\)'/);
    assert.match(message('1 + 1.0'), /'_\+_' applied to '\(int, double\)'/);
    assert.match(message('1 == 1u'), /'_==_' applied to '\(int, uint\)'/);
    assert.match(message('1.5 % 2.0'), /'_%_' applied to '\(double, double\)'/);
    assert.match(message('true ? 1 : "a"'), /'_\?_:_' applied to '\(bool, int, string\)'/);
    assert.match(message('1 && true'), /'_&&_' applied to '\(int, bool\)'/);
    assert.match(message('!1'), /'!_' applied to '\(int\)'/);
    assert.match(message('-"a"'), /'-_' applied to '\(string\)'/);
    assert.match(message('-1u'), /'-_' applied to '\(uint\)'/);
    assert.match(message('timestamp(1.5)'), /'timestamp' applied to '\(double\)'/);
    assert.match(message('undefinedFunction(1)'), /undeclared reference to 'undefinedFunction'/);
    assert.match(message('"a".size(1)'), /found no matching overload for 'size' applied to 'string\.\(int\)'/);
  });

  it('lets dyn match any overload', () => {
    assert.equal(compileCel('dyn(1) + 1').celType, 'int');
    assert.equal(compileCel('dyn(1) == "a"').celType, 'bool');
    assert.equal(compileCel('dyn([1])[0]').celType, 'dyn');
  });

  it('reports every issue, each with its position', () => {
    const error = compileError('context.report == 1 && request.size.x');
    assert.ok(error instanceof ExpressionCompileError);
    assert.match(error.message, /undefined field 'report'/);
    assert.match(error.message, /does not support field selection/);
    assert.equal(error.position?.line, 1);
  });
});

describe('CEL checker: aggregates, messages and macros', () => {
  it('types list and map literals, joining mixed element types to dyn', () => {
    assert.equal(compileCel('[1, 2]').celType, 'list(int)');
    assert.equal(compileCel('[1, "a"]').celType, 'list(dyn)');
    assert.equal(compileCel('[]').celType, 'list(dyn)');
    assert.equal(compileCel('{"a": 1}').celType, 'map(string, int)');
    assert.equal(compileCel('{}').celType, 'map(dyn, dyn)');
    assert.match(message('{1.5: 1}'), /unsupported map key type: 'double'/);
  });

  it('types message construction and field access', () => {
    assert.equal(compileCel('google.protobuf.Int64Value{value: 1}.value').celType, 'int');
    assert.equal(compileCel('google.protobuf.Duration{seconds: 1}').celType, 'google.protobuf.Duration');
    assert.match(message('google.protobuf.Int64Value{nope: 1}'), /undefined field 'nope'/);
    assert.match(message("google.protobuf.Int64Value{value: 'a'}"), /expected type of field 'value' is 'int' but provided type is 'string'/);
    assert.match(message('my.Message{}'), /undeclared reference to 'my\.Message'/);
  });

  it('types type names as type values', () => {
    assert.equal(compileCel('string').celType, 'type(string)');
    assert.equal(compileCel('type(1) == int').celType, 'bool');
    assert.equal(compileCel('google.protobuf.Timestamp').celType, 'type(google.protobuf.Timestamp)');
  });

  it('checks comprehensions', () => {
    assert.equal(compileCel('[1, 2].map(x, x * 2)').celType, 'list(int)');
    assert.equal(compileCel('[1, 2].filter(x, x > 1)').celType, 'list(int)');
    assert.equal(compileCel('{"a": 1}.all(k, k != "")').celType, 'bool');
    assert.match(message('1.all(x, true)'), /expression of type 'int' cannot be range of a comprehension/);
    assert.match(message('[1].all(x, x)'), /expected type 'bool' but found 'int'/);
    // The iteration variable shadows an attribute root of the same name.
    assert.equal(compileCel('[1].all(as, as > 0)').celType, 'bool');
  });
});

describe('CEL checker: result value types', () => {
  const cases: readonly (readonly [string, ValueType])[] = [
    ['as', ValueType.STRING],
    ['ai', ValueType.INT64],
    ['ad', ValueType.DOUBLE],
    ['ab', ValueType.BOOL],
    ['request.time', ValueType.TIMESTAMP],
    ['response.duration', ValueType.DURATION],
    ['request.headers', ValueType.STRING_MAP],
    ['{"a": "b"}', ValueType.STRING_MAP],
    ['emptyStringMap()', ValueType.STRING_MAP],
    ['source.ip', ValueType.IP_ADDRESS],
    ['email("a@b.c")', ValueType.EMAIL_ADDRESS],
    ['uri("http://x")', ValueType.URI],
    ['dnsName("x.y")', ValueType.DNS_NAME],
    ['[1]', ValueType.VALUE_TYPE_UNSPECIFIED],
    ['{"a": 1}', ValueType.VALUE_TYPE_UNSPECIFIED],
    ['1u', ValueType.VALUE_TYPE_UNSPECIFIED],
    ['dyn("a")', ValueType.VALUE_TYPE_UNSPECIFIED],
    ['null', ValueType.VALUE_TYPE_UNSPECIFIED],
    ['context', ValueType.VALUE_TYPE_UNSPECIFIED],
  ];
  for (const [text, type] of cases) {
    it(`${text} → ${ValueType[type]}`, () => {
      assert.equal(compileCel(text).type, type);
    });
  }
});
