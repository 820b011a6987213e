import { denier } from './denier/index.js';
import { elasticsearch } from './elasticsearch/index.js';
import { fluentd } from './fluentd/index.js';
import { listchecker } from './listchecker/index.js';
import { memquota } from './memquota/index.js';
import { noop } from './noop/index.js';
import { opa } from './opa/index.js';
import { prometheus } from './prometheus/index.js';
import { rbac } from './rbac/index.js';
import { redisquota } from './redisquota/index.js';
import type { AdapterModule } from './sdk/define-adapter.js';
import { stdio } from './stdio/index.js';

/**
 * The compiled-in adapters, listed explicitly (Istio's mixer/adapter/inventory.yaml). Importing
 * this file registers nothing: the composition root loads each module into its container.
 */
export const BUILT_IN_ADAPTERS: readonly AdapterModule[] = Object.freeze([denier, elasticsearch, fluentd, listchecker, memquota, noop, opa, prometheus, rbac, redisquota, stdio]);
