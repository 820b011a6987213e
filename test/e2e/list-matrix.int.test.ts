import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { resource, startMixer, type RunningMixer } from '../support/mixer-harness.js';

// listchecker end to end: every entry type as a whitelist and as a blacklist.
const TYPES = [
  { type: 'STRINGS', overrides: '["alpha"]', listed: 'alpha', unlisted: 'Alpha' },
  { type: 'CASE_INSENSITIVE_STRINGS', overrides: '["alpha"]', listed: 'ALPHA', unlisted: 'beta' },
  { type: 'IP_ADDRESSES', overrides: '["192.168.0.0/16", "fd00::/8"]', listed: 'fd00::7', unlisted: '10.0.0.1' },
  { type: 'REGEX', overrides: '["^al.*a$"]', listed: 'alpha', unlisted: 'alphas' },
] as const;

function config(): string {
  const documents: string[] = [];
  for (const [index, entry] of TYPES.entries()) {
    for (const blacklist of [false, true]) {
      const name = `list${index}${blacklist ? 'black' : 'white'}`;
      const value = entry.type === 'IP_ADDRESSES' ? 'ip(request.headers["x-value"])' : 'request.headers["x-value"]';
      documents.push(
        resource('handler', name, `compiledAdapter: listchecker\nparams:\n  overrides: ${entry.overrides}\n  entryType: ${entry.type}\n  blacklist: ${blacklist}`),
        resource('instance', `${name}value`, `compiledTemplate: listentry\nparams:\n  value: ${value}`),
        resource('rule', name, `match: destination.labels["app"] == "${name}"\nactions:\n- handler: ${name}\n  instances: [ ${name}value ]`),
      );
    }
  }
  return documents.join('');
}

describe('listchecker: whitelist and blacklist of every entry type', () => {
  let mixer: RunningMixer;
  before(async () => {
    mixer = await startMixer({ 'lists.yaml': config() });
  });
  after(() => mixer.close());

  for (const [index, entry] of TYPES.entries()) {
    for (const blacklist of [false, true]) {
      const name = `list${index}${blacklist ? 'black' : 'white'}`;
      test(`${entry.type} ${blacklist ? 'blacklist' : 'whitelist'}`, async () => {
        const ask = async (value: string) =>
          (await mixer.check({ attributes: { 'destination.labels': { app: name }, 'request.headers': { 'x-value': value } } })).body.precondition.status;
        const listed = await ask(entry.listed);
        const unlisted = await ask(entry.unlisted);
        if (blacklist) {
          assert.deepEqual(listed, { code: 7, message: `${name}.handler.istio-system:${entry.listed} is blacklisted` });
          assert.equal(unlisted.code, 0);
        } else {
          assert.equal(listed.code, 0);
          assert.deepEqual(unlisted, { code: 7, message: `${name}.handler.istio-system:${entry.unlisted} is not whitelisted` });
        }
      });
    }
  }
});
