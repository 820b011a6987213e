import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadProxyConfig } from '../../proxy/proxy-config-loader.js';
import { FailPolicy } from '../../proxy/proxy-config.js';
import { loadServiceRegistry } from '../../proxy/service-registry.js';

/** The source folder of these examples (tests run from dist/). */
function examplesDirectory(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'package.json'))) directory = dirname(directory);
  return join(directory, 'examples', 'sidecar');
}

test('the example sidecar configs and registry are valid and agree with each other', () => {
  const directory = examplesDirectory();
  const reviews = loadProxyConfig(join(directory, 'reviews-v2.yaml'));
  const ratings = loadProxyConfig(join(directory, 'ratings-v1.yaml'));
  assert.equal(reviews.mixer.failPolicy, FailPolicy.FAIL_CLOSE);
  assert.equal(ratings.mixer.failPolicy, FailPolicy.FAIL_OPEN);
  assert.equal(reviews.registryFile, join(directory, 'registry.yaml'));
  const registry = loadServiceRegistry(reviews.registryFile ?? '');
  const endpoint = registry.pick(registry.resolve('ratings', 'default')!);
  assert.equal(endpoint?.port, ratings.inbound?.listen.port, 'the registry points at ratings sidecar');
  assert.equal(registry.pick(registry.resolve('reviews', 'default')!)?.port, reviews.inbound?.listen.port);
  assert.equal(reviews.quotaRules[0]?.quotas[0]?.quota, 'requestcountquota');
});
