import type { AttributeManifest } from '../../attribute/manifest.js';
import { ValueType } from '../../attribute/value-type.js';
import {
  BOOL,
  BYTES,
  type CelType,
  DNS_NAME_MESSAGE,
  DOUBLE,
  DURATION,
  DYN,
  EMAIL_MESSAGE,
  INT,
  IP_ADDRESS_MESSAGE,
  messageOf,
  STRING,
  STRING_MAP,
  TIMESTAMP,
  URI_MESSAGE,
} from './types.js';

/**
 * Istio models attributes as fields of nested messages with presence: attribute `a.b.c` makes
 * `a` a root variable of message type `.a`, whose field `b` is a message `.a.b`, whose field
 * `c` has the attribute's type. A node is a leaf when an attribute has exactly its name (a leaf
 * that also has children stays a leaf, as in Istio).
 */
export class AttributeNode {
  readonly children = new Map<string, AttributeNode>();
  private leafType: ValueType | undefined;

  /** `typeName` is the dot-prefixed path (`.context.reporter`); the root's is empty. */
  constructor(readonly typeName: string) {}

  /** The attribute this leaf reads (`context.reporter.kind`). */
  get attributeName(): string {
    return this.typeName.slice(1);
  }

  get valueType(): ValueType | undefined {
    return this.leafType;
  }

  get isLeaf(): boolean {
    return this.leafType !== undefined;
  }

  /** The CEL type of this node as a field: its attribute's type, or its message type. */
  get celType(): CelType {
    return this.leafType === undefined ? messageOf(this.typeName) : celTypeOfValueType(this.leafType);
  }

  setLeaf(type: ValueType): void {
    this.leafType = type;
  }
}

export class AttributeTree {
  private constructor(
    readonly root: AttributeNode,
    private readonly byTypeName: ReadonlyMap<string, AttributeNode>,
  ) {}

  static of(manifest: AttributeManifest): AttributeTree {
    const root = new AttributeNode('');
    const byTypeName = new Map<string, AttributeNode>();
    for (const name of manifest.names()) {
      let node = root;
      for (const word of name.split('.')) {
        let child = node.children.get(word);
        if (child === undefined) {
          child = new AttributeNode(`${node.typeName}.${word}`);
          node.children.set(word, child);
          byTypeName.set(child.typeName, child);
        }
        node = child;
      }
      node.setLeaf(manifest.typeOf(name)!);
    }
    return new AttributeTree(root, byTypeName);
  }

  /** The node whose message type is `typeName`, when it is an attribute-tree message. */
  messageNode(typeName: string): AttributeNode | undefined {
    const node = this.byTypeName.get(typeName);
    return node === undefined || node.isLeaf ? undefined : node;
  }
}

/** Istio's convertType: attribute value types as CEL types. */
export function celTypeOfValueType(type: ValueType): CelType {
  switch (type) {
    case ValueType.STRING:
      return STRING;
    case ValueType.INT64:
      return INT;
    case ValueType.DOUBLE:
      return DOUBLE;
    case ValueType.BOOL:
      return BOOL;
    case ValueType.TIMESTAMP:
      return TIMESTAMP;
    case ValueType.DURATION:
      return DURATION;
    case ValueType.STRING_MAP:
      return STRING_MAP;
    case ValueType.IP_ADDRESS:
      return IP_ADDRESS_MESSAGE;
    case ValueType.EMAIL_ADDRESS:
      return EMAIL_MESSAGE;
    case ValueType.URI:
      return URI_MESSAGE;
    case ValueType.DNS_NAME:
      return DNS_NAME_MESSAGE;
    case ValueType.BYTES:
      return BYTES;
    default:
      return DYN;
  }
}

/** Istio's recoverType: the value type an expression of this CEL type produces. */
export function valueTypeOfCelType(type: CelType): ValueType {
  switch (type.kind) {
    case 'string':
      return ValueType.STRING;
    case 'int':
      return ValueType.INT64;
    case 'double':
      return ValueType.DOUBLE;
    case 'bool':
      return ValueType.BOOL;
    case 'timestamp':
      return ValueType.TIMESTAMP;
    case 'duration':
      return ValueType.DURATION;
    case 'bytes':
      return ValueType.BYTES;
    case 'map':
      return type.key === STRING && type.value === STRING ? ValueType.STRING_MAP : ValueType.VALUE_TYPE_UNSPECIFIED;
    case 'message':
      if (type === IP_ADDRESS_MESSAGE) return ValueType.IP_ADDRESS;
      if (type === EMAIL_MESSAGE) return ValueType.EMAIL_ADDRESS;
      if (type === URI_MESSAGE) return ValueType.URI;
      if (type === DNS_NAME_MESSAGE) return ValueType.DNS_NAME;
      return ValueType.VALUE_TYPE_UNSPECIFIED;
    default:
      return ValueType.VALUE_TYPE_UNSPECIFIED;
  }
}
