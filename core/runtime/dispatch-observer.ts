/** How a handler call ended. */
export type CallOutcome = 'ok' | 'error' | 'timeout';

export type DispatchVariety = 'check' | 'quota' | 'report';

/** Where the dispatcher records one handler's calls; resolved once per destination. */
export interface HandlerCallStats {
  record(seconds: number, outcome: CallOutcome): void;
}

/** What the dispatcher reports about its work (implemented with metrics by the server). */
export interface DispatchObserver {
  handlerStats(handler: string, adapter: string, variety: DispatchVariety): HandlerCallStats;
  conditionError(rule: string): void;
  instanceError(instance: string): void;
}

const IGNORE: HandlerCallStats = { record: () => undefined };

export const NO_OBSERVER: DispatchObserver = {
  handlerStats: () => IGNORE,
  conditionError: () => undefined,
  instanceError: () => undefined,
};
