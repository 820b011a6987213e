import type { Writable } from 'node:stream';
import type { HandlerConfig } from '../sdk/adapter-info.js';
import type { AdapterEnvironment } from '../sdk/environment.js';
import { StdioHandler } from './handler.js';
import { StreamSink, type LineSink } from './line-sink.js';
import type { StdioParams } from './params.js';
import { daysToMs, RotatingFileSink } from './rotating-file-sink.js';

/** The process streams STDOUT and STDERR write to (tests pass captured streams). */
export interface StdioStreams {
  readonly stdout: Writable;
  readonly stderr: Writable;
}

const MEGABYTE = 1024 * 1024;

/** Opens the configured output and builds the handler; rejects when the file cannot be opened. */
export async function buildStdioHandler(
  config: HandlerConfig<StdioParams>,
  env: AdapterEnvironment,
  streams: StdioStreams = { stdout: process.stdout, stderr: process.stderr },
): Promise<StdioHandler> {
  const sink = await openSink(config.params, env, streams);
  return new StdioHandler(config.params, sink, env);
}

async function openSink(params: StdioParams, env: AdapterEnvironment, streams: StdioStreams): Promise<LineSink> {
  const onError = (error: Error): void => env.logger.error({ err: error }, 'stdio adapter could not write');
  switch (params.logStream) {
    case 'STDOUT':
      return StreamSink.forProcessStream(streams.stdout, onError);
    case 'STDERR':
      return StreamSink.forProcessStream(streams.stderr, onError);
    case 'FILE':
      return StreamSink.openFile(params.outputPath, onError);
    case 'ROTATED_FILE':
      return RotatingFileSink.open(params.outputPath, {
        maxBytes: (params.maxMegabytesBeforeRotation === 0 ? 100 : params.maxMegabytesBeforeRotation) * MEGABYTE,
        maxAgeMs: daysToMs(params.maxDaysBeforeRotation),
        maxFiles: params.maxRotatedFiles,
        now: () => env.now(),
        onError,
      });
  }
}
