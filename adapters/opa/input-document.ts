import { toJsonValue, type JsonValue } from '../../core/attribute/format.js';
import type { AuthorizationInstance } from '../../templates/definitions.js';
import type { InstanceValue } from '../../templates/template.js';

type JsonObject = { [key: string]: JsonValue };

/**
 * The OPA input document of an authorization instance, as Istio's opa adapter built it:
 * `{action: {namespace, service, method, path, properties}, subject: {user, groups, properties}}`
 * with empty strings, empty maps and absent values left out, `groups` as a one-element list
 * (the template's single string), and property values in their JSON form (toJsonValue).
 */
export function authorizationInput(instance: AuthorizationInstance): JsonObject {
  const { subject, action } = instance;
  const subjectDoc: JsonObject = {};
  if (nonEmpty(subject.user)) subjectDoc['user'] = subject.user;
  if (nonEmpty(subject.groups)) subjectDoc['groups'] = [subject.groups];
  const subjectProperties = properties(subject.properties);
  if (subjectProperties !== undefined) subjectDoc['properties'] = subjectProperties;
  const actionDoc: JsonObject = {};
  if (nonEmpty(action.namespace)) actionDoc['namespace'] = action.namespace;
  if (nonEmpty(action.service)) actionDoc['service'] = action.service;
  if (nonEmpty(action.method)) actionDoc['method'] = action.method;
  if (nonEmpty(action.path)) actionDoc['path'] = action.path;
  const actionProperties = properties(action.properties);
  if (actionProperties !== undefined) actionDoc['properties'] = actionProperties;
  return { action: actionDoc, subject: subjectDoc };
}

function nonEmpty(text: string | undefined): text is string {
  return text !== undefined && text !== '';
}

function properties(map: Readonly<Record<string, InstanceValue>>): JsonObject | undefined {
  let out: JsonObject | undefined;
  for (const key of Object.keys(map)) {
    const value = map[key];
    if (value === undefined) continue;
    (out ??= {})[key] = toJsonValue(value);
  }
  return out;
}
