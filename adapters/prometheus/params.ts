import { Type, type StaticDecode } from '@sinclair/typebox';
import { defineParams, GoDuration, ProtoEnum } from '../sdk/params-schema.js';

/** Istio's MetricInfo.Kind, in proto order (UNSPECIFIED = 0). */
export const METRIC_KINDS = ['UNSPECIFIED', 'GAUGE', 'COUNTER', 'DISTRIBUTION'] as const;
export type MetricKind = (typeof METRIC_KINDS)[number];

/** Where Istio's adapter served its metrics (`:42422`). */
export const DEFAULT_PORT = 42422;

const LinearBuckets = Type.Object(
  {
    numFiniteBuckets: Type.Integer({ default: 0, description: 'finite buckets; the bounds are offset, offset+width, … (numFiniteBuckets+1 of them)' }),
    width: Type.Number({ default: 0, description: 'the width of each bucket; > 0' }),
    offset: Type.Number({ default: 0, description: 'the first bound' }),
  },
  { additionalProperties: false },
);

const ExponentialBuckets = Type.Object(
  {
    numFiniteBuckets: Type.Integer({ default: 0, description: 'finite buckets; the bounds are scale·growthFactor^i for i in 0..numFiniteBuckets' }),
    growthFactor: Type.Number({ default: 0, description: '> 1' }),
    scale: Type.Number({ default: 0, description: '> 0' }),
  },
  { additionalProperties: false },
);

const ExplicitBuckets = Type.Object(
  { bounds: Type.Array(Type.Number(), { default: [], description: 'strictly increasing bucket bounds' }) },
  { additionalProperties: false },
);

/** A proto oneof: at most one member may be set (validate checks it). */
const BucketsDefinition = Type.Object(
  {
    linearBuckets: Type.Optional(LinearBuckets),
    exponentialBuckets: Type.Optional(ExponentialBuckets),
    explicitBuckets: Type.Optional(ExplicitBuckets),
  },
  { additionalProperties: false },
);

const MetricInfo = Type.Object(
  {
    namespace: Type.String({ default: '', description: 'the metric name prefix; "" means "istio"' }),
    name: Type.String({ default: '', description: 'the metric name after the namespace; "" means the sanitised instanceName' }),
    instanceName: Type.String({ default: '', description: 'required: the fully qualified name of the metric instance this metric records' }),
    description: Type.String({ default: '', description: 'the HELP text; "" means the name' }),
    kind: ProtoEnum(METRIC_KINDS, { default: 'UNSPECIFIED', description: 'GAUGE sets, COUNTER adds, DISTRIBUTION observes' }),
    buckets: Type.Optional(BucketsDefinition),
    labelNames: Type.Array(Type.String(), { default: [], description: 'the labels; each must be a dimension of the instance' }),
  },
  { additionalProperties: false },
);

const MetricsExpirationPolicy = Type.Object(
  {
    metricsExpiryDuration: Type.Optional(GoDuration({ description: 'a series not updated for this long is dropped; > 0' })),
    expiryCheckIntervalDuration: Type.Optional(GoDuration({ description: 'how often to look for expired series (default: half the expiry)' })),
  },
  { additionalProperties: false },
);

/**
 * prometheus's params: Istio's (mixer/adapter/prometheus/config/config.proto) plus where to
 * serve them, `address` and `port` (Istio always served on `:42422`, every interface).
 */
export const PrometheusParamsSchema = Type.Object(
  {
    metrics: Type.Array(MetricInfo, { default: [], description: 'the metrics to publish' }),
    metricsExpirationPolicy: Type.Optional(MetricsExpirationPolicy),
    address: Type.String({ default: '', description: 'the interface to serve /metrics on ("" for the one Mixer listens on, --host; 0.0.0.0 or :: for all)' }),
    port: Type.Integer({ default: DEFAULT_PORT, minimum: 0, maximum: 65535, description: 'the port to serve /metrics on (0: any free port)' }),
  },
  { additionalProperties: false },
);

export type PrometheusParams = StaticDecode<typeof PrometheusParamsSchema>;
export type MetricInfoParams = PrometheusParams['metrics'][number];
export type BucketsParams = NonNullable<MetricInfoParams['buckets']>;

export const prometheusParams = defineParams(PrometheusParamsSchema);
