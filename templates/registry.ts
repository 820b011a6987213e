import { APIKEY, AUTHORIZATION, CHECKNOTHING, EDGE, LISTENTRY, LOGENTRY, METRIC, QUOTA, REPORTNOTHING, TRACESPAN } from './definitions.js';
import type { TemplateDefinition } from './template.js';

/** The compiled-in templates, listed explicitly. */
export const BUILT_IN_TEMPLATES: readonly TemplateDefinition[] = [
  CHECKNOTHING, REPORTNOTHING, LISTENTRY, QUOTA, METRIC, LOGENTRY, AUTHORIZATION, APIKEY, TRACESPAN, EDGE,
] as readonly TemplateDefinition[];

/** Templates by name. */
export class TemplateRegistry {
  private readonly byName: ReadonlyMap<string, TemplateDefinition>;

  constructor(templates: readonly TemplateDefinition[] = BUILT_IN_TEMPLATES) {
    const byName = new Map<string, TemplateDefinition>();
    for (const template of templates) {
      if (byName.has(template.name)) throw new TypeError(`template '${template.name}' is registered twice`);
      byName.set(template.name, template);
    }
    this.byName = byName;
  }

  get(name: string): TemplateDefinition | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }
}
