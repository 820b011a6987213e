import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container } from 'inversify';

import { TOKENS } from '../core/di/tokens.js';
import { BUILT_IN_TEMPLATES } from '../templates/registry.js';
import { BUILT_IN_ADAPTERS } from './inventory.js';
import type { AdapterInfo } from './sdk/adapter-info.js';

describe('built-in adapter inventory', () => {
  it('lists every compiled-in adapter with the templates it handles', () => {
    const templates = Object.fromEntries(BUILT_IN_ADAPTERS.map(({ info }) => [info.name, [...info.supportedTemplates].sort()]));
    assert.deepEqual(templates, {
      denier: ['checknothing', 'listentry', 'quota'],
      elasticsearch: ['logentry', 'tracespan'],
      fluentd: ['logentry'],
      listchecker: ['listentry'],
      memquota: ['quota'],
      noop: ['apikey', 'authorization', 'checknothing', 'edge', 'listentry', 'logentry', 'metric', 'quota', 'reportnothing', 'tracespan'],
      opa: ['authorization'],
      prometheus: ['metric'],
      rbac: ['authorization'],
      redisquota: ['quota'],
      stdio: ['logentry', 'metric'],
    });
  });

  it('only names templates that exist', () => {
    const known = new Set(BUILT_IN_TEMPLATES.map((template) => template.name));
    for (const { info } of BUILT_IN_ADAPTERS) {
      for (const template of info.supportedTemplates) assert.ok(known.has(template), `${info.name}: ${template}`);
    }
  });

  it('registers every adapter once when the modules are loaded into a container', () => {
    const container = new Container();
    container.load(...BUILT_IN_ADAPTERS.map((adapter) => adapter.module));
    const infos = container.getAll<AdapterInfo>(TOKENS.AdapterInfo);
    assert.deepEqual(infos.map((info) => info.name).sort(), ['denier', 'elasticsearch', 'fluentd', 'listchecker', 'memquota', 'noop', 'opa', 'prometheus', 'rbac', 'redisquota', 'stdio']);
    assert.equal(infos.find((info) => info.name === 'memquota'), BUILT_IN_ADAPTERS.find((adapter) => adapter.info.name === 'memquota')!.info);
  });

  it('accepts every adapter\'s default params except where Istio requires some', () => {
    const needsParams = new Set<string>();
    for (const { info } of BUILT_IN_ADAPTERS) {
      const parsed = info.params.parse(undefined);
      if (!parsed.ok) needsParams.add(info.name);
    }
    assert.deepEqual([...needsParams], []);
  });
});
