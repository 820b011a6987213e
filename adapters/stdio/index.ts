import { defineAdapter } from '../sdk/define-adapter.js';
import { buildStdioHandler } from './build-handler.js';
import { stdioParams } from './params.js';
import { validateStdio } from './validate.js';

/**
 * stdio: writes logentry and metric instances as JSON or console lines to stdout, stderr, a
 * file or a size-rotated file (Istio's `stdio`). The line format is described in README.md.
 */
export const stdio = defineAdapter({
  name: 'stdio',
  description: 'Writes logs and metrics to a standard I/O stream',
  supportedTemplates: ['logentry', 'metric'],
  params: stdioParams,
  validate: (config) => validateStdio(config.params),
  build: (config, env) => buildStdioHandler(config, env),
});
