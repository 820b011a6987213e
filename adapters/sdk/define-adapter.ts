import { ContainerModule } from 'inversify';
import { TOKENS } from '../../core/di/tokens.js';
import type { AdapterInfo, TemplateName } from './adapter-info.js';

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** An adapter ready to register: its info and the container module that binds it. */
export interface AdapterModule<P = unknown, T extends TemplateName = TemplateName> {
  readonly info: AdapterInfo<P, T>;
  readonly module: ContainerModule;
}

/**
 * Declares an adapter. The returned module binds the info under TOKENS.AdapterInfo; load it
 * into Mixer's container (built-ins are listed in adapters/inventory.ts, third-party ones are
 * loaded with `mixer server --adapter`). Throws when the info itself is malformed.
 */
export function defineAdapter<P, T extends TemplateName>(info: AdapterInfo<P, T>): AdapterModule<P, T> {
  if (!DNS_LABEL.test(info.name) || info.name.length > 63) {
    throw new TypeError(`adapter name '${info.name}' must be a DNS label (lowercase letters, digits and '-')`);
  }
  if (info.supportedTemplates.length === 0) throw new TypeError(`adapter '${info.name}' supports no template`);
  const frozen = Object.freeze({ ...info, supportedTemplates: Object.freeze([...info.supportedTemplates]) });
  return {
    info: frozen,
    module: new ContainerModule(({ bind }) => {
      bind(TOKENS.AdapterInfo).toConstantValue(frozen);
    }),
  };
}
