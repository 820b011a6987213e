import { Type, type StaticDecode } from '@sinclair/typebox';
import { defineParams, ProtoEnum } from '../sdk/params-schema.js';

export const LOG_STREAMS = ['STDOUT', 'STDERR', 'FILE', 'ROTATED_FILE'] as const;
export type LogStream = (typeof LOG_STREAMS)[number];

export const LEVELS = ['INFO', 'WARNING', 'ERROR'] as const;
export type Level = (typeof LEVELS)[number];

/** stdio's params (istio mixer/adapter/stdio/config/config.proto). */
export const StdioParamsSchema = Type.Object(
  {
    logStream: ProtoEnum(LOG_STREAMS, { default: 'STDOUT', description: 'where lines go' }),
    severityLevels: Type.Record(Type.String(), ProtoEnum(LEVELS), {
      default: {},
      description: 'logentry severity → level; added to the standard names (info, warning, error, …)',
    }),
    metricLevel: ProtoEnum(LEVELS, { default: 'INFO', description: 'the level of metric lines' }),
    outputAsJson: Type.Boolean({ default: true, description: 'JSON lines (true) or console lines (false)' }),
    outputLevel: ProtoEnum(LEVELS, { default: 'INFO', description: 'lines below this level are not written' }),
    outputPath: Type.String({ default: '', description: 'the file for FILE and ROTATED_FILE' }),
    maxMegabytesBeforeRotation: Type.Integer({ default: 100, minimum: 0, description: 'ROTATED_FILE: rotate before the file exceeds this size (0: 100)' }),
    maxDaysBeforeRotation: Type.Integer({ default: 30, minimum: 0, description: 'ROTATED_FILE: delete rotated files older than this (0: never)' }),
    maxRotatedFiles: Type.Integer({ default: 1000, minimum: 0, description: 'ROTATED_FILE: keep at most this many rotated files (0: all)' }),
  },
  { additionalProperties: false },
);

export type StdioParams = StaticDecode<typeof StdioParamsSchema>;

export const stdioParams = defineParams(StdioParamsSchema);
