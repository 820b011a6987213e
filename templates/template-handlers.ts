import type {
  ApiKeyHandler, AuthorizationHandler, CheckNothingHandler, EdgeHandler, ListEntryHandler, LogEntryHandler,
  MetricHandler, QuotaHandler, ReportNothingHandler, TraceSpanHandler,
} from './definitions.js';

/** Template name → the handler interface an adapter implements for it. */
export interface TemplateHandlers {
  checknothing: CheckNothingHandler;
  reportnothing: ReportNothingHandler;
  listentry: ListEntryHandler;
  quota: QuotaHandler;
  metric: MetricHandler;
  logentry: LogEntryHandler;
  authorization: AuthorizationHandler;
  apikey: ApiKeyHandler;
  tracespan: TraceSpanHandler;
  edge: EdgeHandler;
}
