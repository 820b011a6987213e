import { ValueType } from '../core/attribute/value-type.js';
import type { FieldType, TemplateField } from './template.js';

/** Shorthands for declaring template fields. */
export const VALUE: FieldType = { kind: 'value' };
export const VALUE_MAP: FieldType = { kind: 'valueMap' };
export const STRING_MAP: FieldType = { kind: 'stringMap' };
export const STRING: FieldType = { kind: 'typed', valueType: ValueType.STRING };
export const INT64: FieldType = { kind: 'typed', valueType: ValueType.INT64 };
export const BOOL: FieldType = { kind: 'typed', valueType: ValueType.BOOL };
export const TIMESTAMP: FieldType = { kind: 'typed', valueType: ValueType.TIMESTAMP };
export const DURATION: FieldType = { kind: 'typed', valueType: ValueType.DURATION };
export const IP_ADDRESS: FieldType = { kind: 'typed', valueType: ValueType.IP_ADDRESS };

export function field(name: string, type: FieldType, description?: string): TemplateField {
  return description === undefined ? { name, type } : { name, type, description };
}

export function message(fields: readonly TemplateField[]): FieldType {
  return { kind: 'message', fields };
}
