import type { TemplateName } from '../../adapters/sdk/adapter-info.js';
import { Duration } from '../attribute/duration.js';
import type { BuildContext } from '../config/build-context.js';
import type { PendingHandler } from '../config/handler-stage.js';
import type { MixerResource } from '../config/mixer-resource.js';
import type { HandlerSpec } from '../config/schemas/handler-schema.js';
import { remoteAdapterInfo } from './remote-adapter.js';
import type { RemoteHandlerParams } from './remote-handler.js';
import { remoteTemplates } from './template-wire.js';

/** An out-of-process adapter resolved from the config: its resource and the compiled-in templates it handles. */
export interface OutOfProcessAdapter {
  readonly resource: MixerResource;
  readonly templates: readonly string[];
}

/**
 * A `handler` whose `adapter` names an out-of-process adapter: checks `connection` (an address is
 * required, `timeout` must be a positive duration, TLS is not supported) and `params` (a map,
 * sent to the adapter as it is written), then makes the pending handler the runtime builds a
 * RemoteHandler from. Problems are reported with their field; the handler is then left out.
 */
export function outOfProcessHandler(subject: MixerResource, adapter: OutOfProcessAdapter, spec: HandlerSpec, context: BuildContext): PendingHandler | undefined {
  const { errors } = context;
  let valid = true;
  const report = (field: string, message: string): void => {
    errors.report(subject, field, message);
    valid = false;
  };
  const connection = spec.connection;
  const address = connection?.address?.trim() ?? '';
  if (address === '') report(connection === undefined ? 'spec' : 'spec.connection', 'an out-of-process handler needs connection.address (host:port of the adapter\'s gRPC server)');
  else if (/\s/.test(address)) report('spec.connection.address', `'${address}' is not an address (expected host:port)`);
  let timeoutMs: number | undefined;
  if (connection?.timeout !== undefined && connection.timeout !== '') {
    const timeout = Duration.tryParse(connection.timeout);
    if (timeout === undefined || timeout.toMillis() <= 0) report('spec.connection.timeout', `${JSON.stringify(connection.timeout)} is not a positive duration (examples: 500ms, 1s, 1m30s)`);
    else timeoutMs = timeout.toMillis();
  }
  if (connection?.authentication !== undefined && connection.authentication !== null) {
    report('spec.connection.authentication', 'TLS and mutual TLS to out-of-process adapters are not supported by this build; use a plaintext address');
  }
  const params = spec.params ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) report('spec.params', 'params must be a map');
  const supported = adapter.templates.filter((name) => remoteTemplates().some((wire) => wire.template === name)) as TemplateName[];
  if (supported.length === 0) {
    report('spec.adapter', `adapter '${adapter.resource.key}' handles no template this Mixer can send (its templates must be compiled-in ones: ${remoteTemplates().map((wire) => wire.template).join(', ')})`);
  }
  if (!valid) return undefined;
  const adapterSpec = adapter.resource.resource.spec as { name?: unknown; description?: unknown } | null;
  const name = typeof adapterSpec?.name === 'string' && adapterSpec.name !== '' ? adapterSpec.name : adapter.resource.resource.name;
  const description = typeof adapterSpec?.description === 'string' ? adapterSpec.description : '';
  const remote: RemoteHandlerParams = Object.freeze({
    address,
    timeoutMs,
    params: params as Readonly<Record<string, unknown>>,
    sessionBased: (adapter.resource.resource.spec as { sessionBased?: unknown } | null)?.sessionBased === true,
  });
  return { subject, adapter: remoteAdapterInfo(name, description, supported), params: remote, paramsField: 'spec.params' };
}
