import { ValueType, valueTypeName } from '../attribute/value-type.js';
import { ExpressionCompileError } from '../expr/errors.js';
import type { CompiledExpression, ExpressionLanguage } from '../expr/expression.js';
import type { ExpressionCompilers } from '../expr/expression-compilers.js';
import { languageOf } from '../expr/language.js';
import type { BuildContext } from './build-context.js';
import type { PendingHandler } from './handler-stage.js';
import { MixerKind } from './kinds.js';
import type { MixerResource } from './mixer-resource.js';
import { resolveReference } from './names.js';
import { ruleSpec, type HeaderOperationSpec } from './schemas/rule-schema.js';
import { HeaderOperationKind, type HeaderOperationTemplate, type InstanceEntry, type RuleAction } from './snapshot.js';
import type { Steps } from './time-slicer.js';

/** A valid action of a rule, with its position for later errors. */
export interface PendingAction extends RuleAction {
  readonly index: number;
}

/** A rule whose match, actions and header operations are valid (handlers not yet validated by their adapters). */
export interface PendingRule {
  readonly subject: MixerResource;
  readonly match: CompiledExpression | undefined;
  readonly matchText: string;
  readonly actions: readonly PendingAction[];
  readonly requestHeaderOperations: readonly HeaderOperationTemplate[];
  readonly responseHeaderOperations: readonly HeaderOperationTemplate[];
}

/** An RFC 7230 token: what a literal header name may be. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Rules, checked as Istio's snapshot builder checks them: the match must be a BOOL expression;
 * each action's handler and instances must resolve (references canonicalised in the rule's
 * namespace), be distinct and fit the handler's templates. Invalid actions are dropped with an
 * error; a rule left with no action and no header operation is dropped, as is a rule whose
 * match does not compile.
 */
export function* processRules(
  subjects: readonly MixerResource[],
  handlers: ReadonlyMap<string, PendingHandler>,
  instances: ReadonlyMap<string, InstanceEntry>,
  compilers: ExpressionCompilers,
  context: BuildContext,
): Steps<PendingRule[]> {
  const rules: PendingRule[] = [];
  for (const subject of subjects) {
    yield;
    const rule = processRule(subject, handlers, instances, compilers, context);
    if (rule !== undefined) rules.push(rule);
  }
  return rules;
}

function processRule(
  subject: MixerResource,
  handlers: ReadonlyMap<string, PendingHandler>,
  instances: ReadonlyMap<string, InstanceEntry>,
  compilers: ExpressionCompilers,
  context: BuildContext,
): PendingRule | undefined {
  const { errors } = context;
  const spec = ruleSpec.parse(subject.resource.spec);
  if (!spec.ok) {
    errors.reportProblems(subject, spec.problems, 'spec', 'spec');
    return undefined;
  }
  const language = languageOf(subject.resource.annotations, context.environment);
  const matchText = spec.value.match ?? '';
  let match: CompiledExpression | undefined;
  let matchValid = true;
  if (matchText !== '') {
    match = typed(compilers, matchText, language, ValueType.BOOL, (message) => errors.report(subject, 'spec.match', message));
    matchValid = match !== undefined;
  }

  const actions: PendingAction[] = [];
  (spec.value.actions ?? []).forEach((action, index) => {
    const field = `spec.actions[${index}]`;
    const handler = resolveReference(action.handler, MixerKind.HANDLER, subject.namespace, (name) => handlers.get(name));
    if (handler === undefined) {
      errors.report(subject, `${field}.handler`, `Handler not found: handler='${action.handler}'`);
      return;
    }
    const names: string[] = [];
    (action.instances ?? []).forEach((reference, position) => {
      const instanceField = `${field}.instances[${position}]`;
      const instance = resolveReference(reference, MixerKind.INSTANCE, subject.namespace, (name) => instances.get(name));
      if (instance === undefined) {
        errors.report(subject, instanceField, `Instance not found: instance='${reference}'`);
        return;
      }
      if (names.includes(instance.name)) {
        errors.report(subject, instanceField, `action specified the same instance multiple times: instance='${instance.name}'`);
        return;
      }
      const template = instance.value.template.name;
      if (!(handler.value.adapter.supportedTemplates as readonly string[]).includes(template)) {
        errors.report(subject, instanceField, `instance '${instance.name}' is of template '${template}' which is not supported by handler '${handler.name}'`);
        return;
      }
      names.push(instance.name);
    });
    if (names.length === 0) {
      errors.report(subject, field, 'No valid instances found');
      return;
    }
    actions.push(Object.freeze({ index, handler: handler.name, instances: Object.freeze(names), ...(action.name === undefined ? {} : { name: action.name }) }));
  });

  const requestHeaderOperations = headerOperations(spec.value.requestHeaderOperations, 'spec.requestHeaderOperations', subject, language, compilers, context);
  const responseHeaderOperations = headerOperations(spec.value.responseHeaderOperations, 'spec.responseHeaderOperations', subject, language, compilers, context);
  if (actions.length === 0 && requestHeaderOperations.length === 0 && responseHeaderOperations.length === 0) {
    errors.report(subject, '', 'No valid actions found in rule');
    return undefined;
  }
  if (!matchValid) return undefined;
  return { subject, match, matchText, actions, requestHeaderOperations, responseHeaderOperations };
}

function headerOperations(
  operations: readonly HeaderOperationSpec[] | undefined,
  base: string,
  subject: MixerResource,
  language: ExpressionLanguage,
  compilers: ExpressionCompilers,
  context: BuildContext,
): readonly HeaderOperationTemplate[] {
  const valid: HeaderOperationTemplate[] = [];
  (operations ?? []).forEach((operation, index) => {
    const field = `${base}[${index}]`;
    let ok = true;
    if (!HEADER_NAME.test(operation.name)) {
      context.errors.report(subject, `${field}.name`, `invalid header name '${operation.name}': a header name is a literal token such as x-user`);
      ok = false;
    }
    const values: CompiledExpression[] = [];
    (operation.values ?? []).forEach((text, position) => {
      const compiled = typed(compilers, text, language, ValueType.STRING, (message) => context.errors.report(subject, `${field}.values[${position}]`, message));
      if (compiled === undefined) ok = false;
      else values.push(compiled);
    });
    if (!ok) return;
    const kind = operation.operation === undefined ? HeaderOperationKind.REPLACE : HeaderOperationKind[operation.operation];
    valid.push(Object.freeze({ name: operation.name, values: Object.freeze(values), operation: kind }));
  });
  return Object.freeze(valid);
}

/** Compiles `text` and checks its type, reporting Istio's messages through `fail`. */
function typed(
  compilers: ExpressionCompilers,
  text: string,
  language: ExpressionLanguage,
  expected: ValueType,
  fail: (message: string) => void,
): CompiledExpression | undefined {
  let compiled: CompiledExpression;
  try {
    compiled = compilers.compile(text, language);
  } catch (error) {
    if (!(error instanceof ExpressionCompileError)) throw error;
    fail(error.message);
    return undefined;
  }
  if (compiled.type !== expected) {
    fail(`expression '${text}' evaluated to type ${valueTypeName(compiled.type)}, expected type ${valueTypeName(expected)}`);
    return undefined;
  }
  return compiled;
}
