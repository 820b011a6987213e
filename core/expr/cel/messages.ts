import { Duration } from '../../attribute/duration.js';
import { Timestamp } from '../../attribute/timestamp.js';
import type { Int64 } from '../../attribute/value.js';
import { checkTimestampRange } from './time-math.js';
import {
  BOOL,
  BYTES,
  type CelType,
  DOUBLE,
  DURATION,
  DYN,
  INT,
  listOf,
  mapOf,
  messageOf,
  NULL,
  STRING,
  TIMESTAMP,
  typeOf,
  UINT,
} from './types.js';
import { CelMessage } from './values.js';

/**
 * The protobuf messages an expression may construct (`google.protobuf.Int64Value{value: 1}`):
 * the well-known wrappers, which stay messages with a `value` field, and Duration/Timestamp,
 * which construct CEL durations and timestamps.
 */
export interface MessageDescriptor {
  readonly name: string;
  /** The type of the constructed value. */
  readonly resultType: CelType;
  readonly fields: ReadonlyMap<string, CelType>;
  /** Builds the value from the given fields (plain forms). */
  construct(fields: ReadonlyMap<string, unknown>): unknown;
}

const WRAPPERS: readonly (readonly [string, CelType, unknown])[] = [
  ['google.protobuf.BoolValue', BOOL, false],
  ['google.protobuf.BytesValue', BYTES, new Uint8Array(0)],
  ['google.protobuf.DoubleValue', DOUBLE, 0],
  ['google.protobuf.FloatValue', DOUBLE, 0],
  ['google.protobuf.Int32Value', INT, 0],
  ['google.protobuf.Int64Value', INT, 0],
  ['google.protobuf.StringValue', STRING, ''],
  ['google.protobuf.UInt32Value', UINT, 0],
  ['google.protobuf.UInt64Value', UINT, 0],
];

function wrapperDescriptor(name: string, valueType: CelType, zero: unknown): MessageDescriptor {
  const type = messageOf(name);
  return {
    name,
    resultType: type,
    fields: new Map([['value', valueType]]),
    construct: (fields) => new CelMessage(type, new Map([['value', fields.get('value') ?? zero]])),
  };
}

const SECONDS_AND_NANOS = new Map<string, CelType>([
  ['seconds', INT],
  ['nanos', INT],
]);

const DESCRIPTORS: ReadonlyMap<string, MessageDescriptor> = new Map<string, MessageDescriptor>([
  ...WRAPPERS.map(([name, type, zero]) => [name, wrapperDescriptor(name, type, zero)] as const),
  [
    'google.protobuf.Duration',
    {
      name: 'google.protobuf.Duration',
      resultType: DURATION,
      fields: SECONDS_AND_NANOS,
      construct: (fields) => Duration.fromParts(BigInt((fields.get('seconds') as Int64 | undefined) ?? 0), Number(fields.get('nanos') ?? 0)),
    },
  ],
  [
    'google.protobuf.Timestamp',
    {
      name: 'google.protobuf.Timestamp',
      resultType: TIMESTAMP,
      fields: SECONDS_AND_NANOS,
      construct: (fields) =>
        checkTimestampRange(Timestamp.fromParts(Number(fields.get('seconds') ?? 0), Number(fields.get('nanos') ?? 0))),
    },
  ],
]);

export function messageDescriptor(name: string): MessageDescriptor | undefined {
  return DESCRIPTORS.get(name.startsWith('.') ? name.slice(1) : name);
}

/** The field default read from a constructed message whose field was not set. */
export function messageFieldDefault(descriptor: MessageDescriptor, field: string): unknown {
  const type = descriptor.fields.get(field);
  if (type === STRING) return '';
  if (type === BOOL) return false;
  if (type === BYTES) return new Uint8Array(0);
  return 0;
}

const WRAPPER_NAMES: ReadonlySet<string> = new Set(WRAPPERS.map(([name]) => name));

/** Names usable as type values (`type(x) == string`), with the type each denotes. */
const TYPE_NAMES: ReadonlyMap<string, CelType> = new Map<string, CelType>([
  ['int', INT],
  ['uint', UINT],
  ['double', DOUBLE],
  ['bool', BOOL],
  ['string', STRING],
  ['bytes', BYTES],
  ['null_type', NULL],
  ['list', listOf(DYN)],
  ['map', mapOf(DYN, DYN)],
  ['type', typeOf(undefined)],
  ['dyn', DYN],
  ['google.protobuf.Timestamp', TIMESTAMP],
  ['google.protobuf.Duration', DURATION],
]);

/** The type a type name denotes, or undefined. */
export function typeByName(name: string): CelType | undefined {
  const bare = name.startsWith('.') ? name.slice(1) : name;
  const known = TYPE_NAMES.get(bare);
  if (known !== undefined) return known;
  return WRAPPER_NAMES.has(bare) ? messageOf(bare) : undefined;
}

/** The runtime type value name of a type (`list`, `map`, `google.protobuf.Timestamp`, `int`). */
export function typeValueName(type: CelType): string {
  switch (type.kind) {
    case 'list':
      return 'list';
    case 'map':
      return 'map';
    case 'null':
      return 'null_type';
    case 'timestamp':
      return 'google.protobuf.Timestamp';
    case 'duration':
      return 'google.protobuf.Duration';
    case 'message':
      return type.name;
    case 'type':
      return 'type';
    default:
      return type.kind;
  }
}
