import type { ConfigResource } from './config-resource.js';
import type { ResourceRole } from './kinds.js';
import type { ResourceOrigin } from './snapshot.js';

/** A resource Mixer reads, with its role, resolved namespace and identity. */
export interface MixerResource {
  readonly resource: ConfigResource;
  readonly role: ResourceRole;
  /** metadata.namespace, or the default config namespace when it is empty. */
  readonly namespace: string;
  /** `name.kind.namespace`. */
  readonly key: string;
  readonly origin: ResourceOrigin;
}
