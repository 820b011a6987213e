import { Type } from '@sinclair/typebox';
import type { AdapterInfo, HandlerConfig, TemplateName } from '../../adapters/sdk/adapter-info.js';
import type { ParamsSchema } from '../../adapters/sdk/params-schema.js';
import { RemoteHandler, type RemoteHandlerParams } from './remote-handler.js';

/** The params of a remote handler are checked by the config stage (`out-of-process-handler.ts`); the schema only carries them. */
const REMOTE_PARAMS: ParamsSchema<RemoteHandlerParams> = {
  schema: Type.Unknown(),
  parse: (raw) => ({ ok: true, value: raw as RemoteHandlerParams }),
};

/**
 * An out-of-process adapter (a `kind: adapter` resource) as the runtime sees it: an AdapterInfo
 * whose handlers are RemoteHandlers calling the adapter's gRPC server. The handler table,
 * routing and dispatch treat it like any compiled-in adapter.
 */
export function remoteAdapterInfo(name: string, description: string, templates: readonly TemplateName[]): AdapterInfo<RemoteHandlerParams> {
  return Object.freeze({
    name,
    description: description === '' ? `out-of-process adapter '${name}'` : description,
    supportedTemplates: Object.freeze([...templates]),
    params: REMOTE_PARAMS,
    // The handle<T> methods are added per template at run time, so the static handler type cannot be proven here.
    build: (config: HandlerConfig<RemoteHandlerParams>) => RemoteHandler.create(config.params, templates, config.instances) as never,
  });
}
