import { defineAdapter } from '../sdk/define-adapter.js';
import { ListCheckerHandler } from './handler.js';
import { ListState } from './list-state.js';
import { listCheckerParams } from './params.js';
import { validateListChecker } from './validate.js';

/**
 * listchecker: checks a value against a whitelist or blacklist of strings, case-insensitive
 * strings, IP networks or regular expressions, fetched from a URL and/or given inline (Istio's
 * `list` adapter).
 */
export const listchecker = defineAdapter({
  name: 'listchecker',
  description: 'Checks whether an entry is present in a list',
  supportedTemplates: ['listentry'],
  params: listCheckerParams,
  validate: (config) => validateListChecker(config.params),
  async build(config, env) {
    const state = new ListState(config.params, env);
    await state.start();
    return new ListCheckerHandler(config.params, state);
  },
});
