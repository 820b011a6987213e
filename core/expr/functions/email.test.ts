import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ExpressionEvaluationError } from '../errors.js';
import { emailEquals, toEmail } from './email.js';

// Expected values were produced by Istio's externs (ExternEmail, ExternEmailEqual) compiled with
// Go 1.26 and golang.org/x/net/idna v0.62.0 (a differential oracle run outside this repository).

/** [input, Istio's email(input): accepted (the value is the input) or the error] */
const CONVERTED: ReadonlyArray<readonly [string, { ok: true } | { error: string }]> = [
  ['istio@istio.io', { ok: true }],
  ['foo@bar.com', { ok: true }],
  ['"istio"@istio.io', { ok: true }],
  ['"a b"@c.com', { ok: true }],
  ['"a\\"b"@c.com', { ok: true }],
  ['a.b@c', { ok: true }],
  ['a@b', { ok: true }],
  [' a@b.com', { ok: true }],
  ['a@b.com\t', { ok: true }],
  ['<a@b.com>', { ok: true }],
  [' <a@b.com> ', { ok: true }],
  ['a@b.com ()', { ok: true }],
  ['(c) a@b.com', { error: 'error converting \'(c) a@b.com\' to e-mail: \'mail: missing word in phrase: mail: invalid string\'' }],
  ['g: a@b.com;', { ok: true }],
  ['=?utf-8?q??= <a@b.com>', { error: 'error converting \'=?utf-8?q??= <a@b.com>\' to e-mail: \'mail: missing word in phrase: mail: invalid string\'' }],
  ['a@[1.2.3.4]', { ok: true }],
  ['a@[::1]', { ok: true }],
  ['é@é.com', { ok: true }],
  ['ü@bücher.de', { ok: true }],
  ['a@xn--bcher-kva.de', { ok: true }],
  ['a@B.COM', { ok: true }],
  ['a@b_c.com', { ok: true }],
  ['"a@b"@c.com', { ok: true }],
  ['a@' + 'a'.repeat(64) + '.com', { ok: true }],
  ['', { error: 'error converting \'\' to e-mail: \'mail: no address\'' }],
  [' ', { error: 'error converting \' \' to e-mail: \'mail: no address\'' }],
  ['barfoo', { error: 'error converting \'barfoo\' to e-mail: \'mail: missing \'@\' or angle-addr\'' }],
  ['Joe', { error: 'error converting \'Joe\' to e-mail: \'mail: missing \'@\' or angle-addr\'' }],
  ['Joe Bloggs', { error: 'error converting \'Joe Bloggs\' to e-mail: \'mail: no angle-addr\'' }],
  ['@b', { error: 'error converting \'@b\' to e-mail: \'mail: missing word in phrase: mail: invalid string\'' }],
  ['a@', { error: 'error converting \'a@\' to e-mail: \'mail: missing \'@\' or angle-addr\'' }],
  ['a@@b', { error: 'error converting \'a@@b\' to e-mail: \'mail: missing \'@\' or angle-addr\'' }],
  ['a@b@c', { error: 'error converting \'a@b@c\' to e-mail: \'mail: expected single address, got "@c"\'' }],
  ['.a@b', { error: 'error converting \'.a@b\' to e-mail: \'mail: missing \'@\' or angle-addr\'' }],
  ['a.@b', { error: 'error converting \'a.@b\' to e-mail: \'mail: missing \'@\' or angle-addr\'' }],
  ['a..b@c', { error: 'error converting \'a..b@c\' to e-mail: \'mail: missing \'@\' or angle-addr\'' }],
  ['a@.b', { error: 'error converting \'a@.b\' to e-mail: \'mail: missing \'@\' or angle-addr\'' }],
  ['a@b.', { error: 'error converting \'a@b.\' to e-mail: \'mail: missing \'@\' or angle-addr\'' }],
  ['a@-b', { error: 'error converting \'a@-b\' to e-mail: \'error converting \'-b\' to dns name: \'idna: invalid label "-b"\'\'' }],
  ['a@-foo.-bar', { error: 'error converting \'a@-foo.-bar\' to e-mail: \'error converting \'-foo.-bar\' to dns name: \'idna: invalid label "-foo"\'\'' }],
  ['a@xn--a.com', { error: 'error converting \'a@xn--a.com\' to e-mail: \'error converting \'xn--a.com\' to dns name: \'idna: invalid label "\\u0080"\'\'' }],
  ['a@XN--bcher-kva.de', { error: 'error converting \'a@XN--bcher-kva.de\' to e-mail: \'error converting \'XN--bcher-kva.de\' to dns name: \'idna: invalid label "XN--bcher-kva"\'\'' }],
  ['a@[1.2.3]', { error: 'error converting \'a@[1.2.3]\' to e-mail: \'mail: missing \'@\' or angle-addr\'' }],
  ['a@[ 1.2.3.4]', { error: 'error converting \'a@[ 1.2.3.4]\' to e-mail: \'mail: missing \'@\' or angle-addr\'' }],
  ['a@[1.2.3.4', { error: 'error converting \'a@[1.2.3.4\' to e-mail: \'mail: missing \'@\' or angle-addr\'' }],
  ['a@[::1%eth0]', { error: 'error converting \'a@[::1%eth0]\' to e-mail: \'mail: missing \'@\' or angle-addr\'' }],
  ['Joe <a@b.com>', { error: 'error converting \'Joe <a@b.com>\' to e-mail: display names are not allowed' }],
  ['"Joe" <a@b.com>', { error: 'error converting \'"Joe" <a@b.com>\' to e-mail: display names are not allowed' }],
  ['a@b.com (Joe)', { error: 'error converting \'a@b.com (Joe)\' to e-mail: display names are not allowed' }],
  ['<a@b.com', { error: 'error converting \'<a@b.com\' to e-mail: \'mail: unclosed angle-addr\'' }],
  ['Joe a@b.com', { error: 'error converting \'Joe a@b.com\' to e-mail: \'mail: no angle-addr\'' }],
  ['""@b.com', { error: 'error converting \'""@b.com\' to e-mail: \'mail: missing \'@\' or angle-addr\'' }],
  ['"a', { error: 'error converting \'"a\' to e-mail: \'mail: missing word in phrase: mail: unclosed quoted-string\'' }],
  ['"a\u0001"@b', { error: 'error converting \'"a\u0001"@b\' to e-mail: \'mail: missing word in phrase: mail: bad character in quoted-string: \'\\x01\'\'' }],
  ['a@b.com (', { error: 'error converting \'a@b.com (\' to e-mail: \'mail: misformatted parenthetical comment\'' }],
  ['a@b.com, c@d.com', { error: 'error converting \'a@b.com, c@d.com\' to e-mail: \'mail: expected single address, got ", c@d.com"\'' }],
  ['g: ;', { error: 'error converting \'g: ;\' to e-mail: \'mail: empty group\'' }],
  ['g: a@b.com, c@d.com;', { error: 'error converting \'g: a@b.com, c@d.com;\' to e-mail: \'mail: group with multiple addresses\'' }],
  ['g: a@b.com', { error: 'error converting \'g: a@b.com\' to e-mail: \'mail: expected comma\'' }],
  ['=?utf-8?q?Joe?= <a@b.com>', { error: 'error converting \'=?utf-8?q?Joe?= <a@b.com>\' to e-mail: display names are not allowed' }],
  ['=?koi8-r?q?x?= <a@b.com>', { error: 'error converting \'=?koi8-r?q?x?= <a@b.com>\' to e-mail: \'mail: missing word in phrase: charset not supported: "koi8-r"\'' }],
  ['=?KOI8-R?B?eA==?= <a@b.com>', { error: 'error converting \'=?KOI8-R?B?eA==?= <a@b.com>\' to e-mail: \'mail: missing word in phrase: charset not supported: "koi8-r"\'' }],
  ['a@b.com (=?koi8-r?q?x?=)', { error: 'error converting \'a@b.com (=?koi8-r?q?x?=)\' to e-mail: \'charset not supported: "koi8-r"\'' }],
  ['a b@c.com', { error: 'error converting \'a b@c.com\' to e-mail: \'mail: no angle-addr\'' }],
  ['a@b c.com', { error: 'error converting \'a@b c.com\' to e-mail: \'mail: expected single address, got "c.com"\'' }],
  ['a@b.com>', { error: 'error converting \'a@b.com>\' to e-mail: \'mail: expected single address, got ">"\'' }],
  ['<>', { error: 'error converting \'<>\' to e-mail: \'mail: invalid string\'' }],
  ['Joe <>', { error: 'error converting \'Joe <>\' to e-mail: \'mail: invalid string\'' }],
  ['"Joe"', { error: 'error converting \'"Joe"\' to e-mail: \'mail: missing \'@\' or angle-addr\'' }],
  ['a@b.com;', { error: 'error converting \'a@b.com;\' to e-mail: \'mail: expected single address, got ";"\'' }],
  ['a:b@c.com', { error: 'error converting \'a:b@c.com\' to e-mail: \'mail: expected comma\'' }],
  ['Joe, <a@b.com>', { error: 'error converting \'Joe, <a@b.com>\' to e-mail: \'mail: missing \'@\' or angle-addr\'' }],
  ['(', { error: 'error converting \'(\' to e-mail: \'mail: missing word in phrase: mail: invalid string\'' }],
  ['@', { error: 'error converting \'@\' to e-mail: \'mail: missing word in phrase: mail: invalid string\'' }],
  ['\\', { error: 'error converting \'\\\' to e-mail: \'mail: missing word in phrase: mail: invalid string\'' }],
  ['a@א1.com', { ok: true }],
  ['a@1א.com', { error: 'error converting \'a@1א.com\' to e-mail: \'error converting \'1א.com\' to dns name: \'idna: invalid label "1א.com"\'\'' }],
  ['a\n@b.com', { error: 'error converting \'a\n@b.com\' to e-mail: \'mail: missing \'@\' or angle-addr\'' }],
  ['<a>', { error: 'error converting \'<a>\' to e-mail: \'mail: missing @ in addr-spec\'' }],
  ['<a@>', { error: 'error converting \'<a@>\' to e-mail: \'mail: invalid string\'' }],
  ['< >', { error: 'error converting \'< >\' to e-mail: \'mail: invalid string\'' }],
  ['<a@[1.2.3]>', { error: 'error converting \'<a@[1.2.3]>\' to e-mail: \'mail: invalid IP address in domain-literal: "1.2.3"\'' }],
  ['<a@[a b]>', { error: 'error converting \'<a@[a b]>\' to e-mail: \'mail: bad character in domain-literal: \' \'\'' }],
  ['<a@[1.2.3.4>', { error: 'error converting \'<a@[1.2.3.4>\' to e-mail: \'mail: unclosed domain-literal\'' }],
  ['<.a@b>', { error: 'error converting \'<.a@b>\' to e-mail: \'mail: leading dot in atom\'' }],
  ['<a..b@c>', { error: 'error converting \'<a..b@c>\' to e-mail: \'mail: double dot in atom\'' }],
  ['<a.@b>', { error: 'error converting \'<a.@b>\' to e-mail: \'mail: trailing dot in atom\'' }],
  ['<a@b.>', { error: 'error converting \'<a@b.>\' to e-mail: \'mail: trailing dot in atom\'' }],
  ['<""@b>', { error: 'error converting \'<""@b>\' to e-mail: \'mail: empty quoted string in addr-spec\'' }],
  ['<"a@b>', { error: 'error converting \'<"a@b>\' to e-mail: \'mail: empty quoted string in addr-spec\'' }],
  ['<a@b..c>', { error: 'error converting \'<a@b..c>\' to e-mail: \'mail: double dot in atom\'' }],
  ['<a@[a\\b]>', { error: 'error converting \'<a@[a\\b]>\' to e-mail: \'mail: bad character in domain-literal: \'\\\\\'\'' }],
  ['Joe <a@[::1]>', { error: 'error converting \'Joe <a@[::1]>\' to e-mail: display names are not allowed' }],
  ['Joe <a@[1.2.3.4]> (c)', { error: 'error converting \'Joe <a@[1.2.3.4]> (c)\' to e-mail: display names are not allowed' }],
  ['g: <a@b.com>;', { ok: true }],
  ['g: Joe <a@b.com>;', { error: 'error converting \'g: Joe <a@b.com>;\' to e-mail: display names are not allowed' }],
  ['<', { error: 'error converting \'<\' to e-mail: \'mail: no addr-spec\'' }],
  ['<a@', { error: 'error converting \'<a@\' to e-mail: \'mail: no domain in addr-spec\'' }],
  ['Joe <a@', { error: 'error converting \'Joe <a@\' to e-mail: \'mail: no domain in addr-spec\'' }],
  ['Joe < ', { error: 'error converting \'Joe < \' to e-mail: \'mail: no addr-spec\'' }],
];

/** [a, b, Istio's email_equal(a, b)] */
const COMPARED: ReadonlyArray<readonly [string, string, { ok: boolean } | { error: string }]> = [
  ['"istio"@istio.io', 'istio@istio.io', { ok: true }],
  ['istio@istio.io', 'pilot@istio.io', { ok: false }],
  ['istio@istio.io', 'istio@istio.io', { ok: true }],
  ['istio@istio.io', 'istio@ISTIO.io', { ok: true }],
  ['Istio@istio.io', 'istio@istio.io', { ok: false }],
  ['a@b.com.', 'a@b.com', { error: 'mail: missing \'@\' or angle-addr' }],
  ['a@bücher.de', 'a@xn--bcher-kva.de', { ok: true }],
  ['Joe <a@b.com>', 'a@b.com', { ok: true }],
  ['"a@b"@c.com', 'a@b@c.com', { error: 'mail: expected single address, got "@c.com"' }],
  ['', 'a@b', { error: 'mail: no address' }],
  ['a@b', '', { error: 'mail: no address' }],
  ['a@[1.2.3.4]', 'a@[1.2.3.4]', { error: 'error comparing e-mails \'a@[1.2.3.4]\' and \'a@[1.2.3.4]\': idna: disallowed rune U+005B' }],
  ['a@b_c', 'a@b_c', { error: 'error comparing e-mails \'a@b_c\' and \'a@b_c\': idna: disallowed rune U+005F' }],
  ['a@-b', 'a@-b', { error: 'error comparing e-mails \'a@-b\' and \'a@-b\': idna: invalid label "-b"' }],
];

function outcome(run: () => unknown): { ok: unknown } | { error: string } {
  try {
    return { ok: run() };
  } catch (error) {
    assert.ok(error instanceof ExpressionEvaluationError, `unexpected error type: ${String(error)}`);
    return { error: error.message };
  }
}

describe('toEmail (CEXL email)', () => {
  for (const [input, expected] of CONVERTED) {
    it(`converts ${JSON.stringify(input)}`, () => {
      assert.deepEqual(outcome(() => toEmail(input)), 'ok' in expected ? { ok: input } : expected);
    });
  }

  it('matches the conformance vectors (ids 121, 123, 125, 127)', () => {
    assert.equal(toEmail('istio@istio.io'), 'istio@istio.io');
    assert.equal(toEmail('"istio"@istio.io'), '"istio"@istio.io');
    assert.throws(() => toEmail(''), { message: `error converting '' to e-mail: 'mail: no address'` });
    assert.throws(() => toEmail('barfoo'), (error: unknown) =>
      error instanceof ExpressionEvaluationError && error.message.startsWith(`error converting 'barfoo' to e-mail:`),
    );
  });
});

describe('emailEquals (Istio email_equal)', () => {
  for (const [a, b, expected] of COMPARED) {
    it(`compares ${JSON.stringify(a)} and ${JSON.stringify(b)}`, () => {
      assert.deepEqual(outcome(() => emailEquals(a, b)), expected);
    });
  }

  it('matches the conformance vectors (ids 132, 135, 137, 140)', () => {
    assert.equal(emailEquals('"istio"@istio.io', 'istio@istio.io'), true);
    assert.equal(emailEquals('istio@istio.io', 'pilot@istio.io'), false);
    assert.equal(emailEquals('istio@istio.io', 'istio@istio.io'), true);
    assert.equal(emailEquals(toEmail('istio@istio.io'), toEmail('istio@istio.io')), true);
  });
});
