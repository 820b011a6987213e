import { WireFormatError, WireReader, WireType } from '../grpc/wire-reader.js';

/** `option (istio.mixer.adapter.model.v1beta1.template_name)`: a FileOptions extension. */
const TEMPLATE_NAME_OPTION = 72295888;

/**
 * The template a `template` resource's descriptor (a base64 google.protobuf.FileDescriptorSet)
 * declares: the `template_name` file option of the first file that has one, else the last
 * file's proto package (protoc lists imports first; Istio's template files use the template
 * name as package).
 * Undefined when the descriptor cannot be read.
 */
export function templateNameOfDescriptor(base64: string): string | undefined {
  let packageName: string | undefined;
  try {
    const reader = WireReader.of(Buffer.from(base64.replace(/\s+/g, ''), 'base64'));
    while (!reader.atEnd) {
      const tag = reader.tag();
      if (tag >>> 3 !== 1 || (tag & 7) !== WireType.LENGTH_DELIMITED) {
        reader.skip(tag & 7);
        continue;
      }
      const file = reader.enter();
      while (!reader.atEnd) {
        const inner = reader.tag();
        const field = inner >>> 3;
        if (field === 2 && (inner & 7) === WireType.LENGTH_DELIMITED) {
          packageName = reader.string();
        } else if (field === 8 && (inner & 7) === WireType.LENGTH_DELIMITED) {
          const option = readTemplateNameOption(reader);
          if (option !== undefined) return option;
        } else reader.skip(inner & 7);
      }
      reader.leave(file);
    }
  } catch (error) {
    if (error instanceof WireFormatError) return undefined;
    throw error;
  }
  return packageName;
}

function readTemplateNameOption(reader: WireReader): string | undefined {
  const outer = reader.enter();
  let name: string | undefined;
  while (!reader.atEnd) {
    const tag = reader.tag();
    if (tag >>> 3 === TEMPLATE_NAME_OPTION && (tag & 7) === WireType.LENGTH_DELIMITED) name = reader.string();
    else reader.skip(tag & 7);
  }
  reader.leave(outer);
  return name;
}
