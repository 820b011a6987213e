import { problem, type ConfigProblem } from '../sdk/config-problem.js';
import type { StdioParams } from './params.js';

/** Istio's stdio checks: an output path exactly for the file streams. */
export function validateStdio(params: StdioParams): ConfigProblem[] {
  const toFile = params.logStream === 'FILE' || params.logStream === 'ROTATED_FILE';
  if (!toFile && params.outputPath !== '') {
    return [problem('params.outputPath', 'cannot specify an output path when using a STDOUT or STDERR log stream')];
  }
  if (toFile && params.outputPath === '') {
    return [problem('params.outputPath', 'need a valid output path when using a FILE or ROTATED_FILE log stream')];
  }
  return [];
}
