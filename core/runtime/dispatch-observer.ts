/** How a handler call ended. */
export type CallOutcome = 'ok' | 'error' | 'timeout';

/** What the dispatcher reports about its work (implemented with prom-client by the server). */
export interface DispatchObserver {
  handlerCall(handler: string, adapter: string, variety: 'check' | 'quota' | 'report', seconds: number, outcome: CallOutcome): void;
  conditionError(rule: string): void;
  instanceError(instance: string): void;
}

export const NO_OBSERVER: DispatchObserver = {
  handlerCall: () => undefined,
  conditionError: () => undefined,
  instanceError: () => undefined,
};
