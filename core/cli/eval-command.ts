import { parseArgs } from 'node:util';
import { InvalidAttributesError } from '../attribute/convert.js';
import type { DictBag } from '../attribute/dict-bag.js';
import { toJsonValue } from '../attribute/format.js';
import { AttributeManifest } from '../attribute/manifest.js';
import { TrackingBag } from '../attribute/tracking-bag.js';
import { valueTypeName } from '../attribute/value-type.js';
import { ExpressionCompileError, ExpressionEvaluationError } from '../expr/errors.js';
import { ExpressionLanguage } from '../expr/expression.js';
import { ExpressionCompilers } from '../expr/expression-compilers.js';
import { attributesFromArguments } from './attribute-arguments.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, type Command, type CommandIo } from './command.js';

const LANGUAGES: Readonly<Record<string, ExpressionLanguage>> = {
  cexl: ExpressionLanguage.CEXL,
  cel: ExpressionLanguage.CEL,
  compat: ExpressionLanguage.COMPAT,
};

/** The built-in example `npm start` runs: a typical rule match over typical request attributes. */
export const EVAL_EXAMPLE = {
  expression:
    'destination.service.host == "reviews.default.svc.cluster.local" && request.path.startsWith("/reviews") && (request.headers["x-user"] | "anonymous") != "blocked"',
  attributes: {
    'destination.service.host': 'reviews.default.svc.cluster.local',
    'request.path': '/reviews/0',
    'request.headers': { 'x-user': 'jason', ':method': 'GET' },
    'source.ip': '10.12.0.7',
  },
} as const;

export const evalCommand: Command = {
  name: 'eval',
  summary: 'evaluate an expression against attributes (the rule-debugging playground)',
  usage: `Usage: mixer eval EXPR [--lang cexl|cel|compat] [-a name=value]... [--attributes JSON|@file]
       mixer eval --example

Compiles EXPR against the standard attribute vocabulary, evaluates it over the given
attributes and prints one JSON object: {"value": ..., "type": "BOOL", "referenced": [...]}.
"referenced" lists what evaluation read: name (present), -name (absent), map[key], -map[key].

Options:
  --lang LANG          expression language: cexl (default), cel, compat
  -a, --attribute N=V  an attribute; V is typed by the vocabulary (request.size=512,
                       source.ip=10.0.0.1, request.headers={"x-user":"bob"})
  --attributes JSON    a JSON object of attributes, or @path to a JSON file
  --example            evaluate a built-in example rule
  -h, --help           show this help

Exit status: 0 evaluated; 1 compile or evaluation error (printed on stderr); 2 bad usage.`,

  run(args: readonly string[], io: CommandIo): Promise<number> {
    return Promise.resolve(runEval(args, io));
  },
};

function runEval(args: readonly string[], io: CommandIo): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      lang: { type: 'string' },
      attribute: { type: 'string', short: 'a', multiple: true },
      attributes: { type: 'string' },
      example: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    io.stdout(`${evalCommand.usage}\n`);
    return EXIT_OK;
  }
  const languageName = values.lang ?? 'cexl';
  const language = LANGUAGES[languageName.toLowerCase()];
  if (language === undefined) throw new UsageError(`--lang ${languageName}: expected cexl, cel or compat`);

  const manifest = AttributeManifest.standard();
  let expression: string;
  let bag: DictBag;
  try {
    if (values.example === true) {
      if (positionals.length > 0) throw new UsageError('--example takes no expression');
      expression = EVAL_EXAMPLE.expression;
      bag = attributesFromArguments(manifest, JSON.stringify(EVAL_EXAMPLE.attributes), values.attribute ?? []);
      io.stderr(`expression: ${expression}\nattributes: ${JSON.stringify(EVAL_EXAMPLE.attributes)}\n`);
    } else {
      if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'missing EXPR' : 'expected exactly one EXPR (quote it)');
      expression = positionals[0]!;
      bag = attributesFromArguments(manifest, values.attributes, values.attribute ?? []);
    }
  } catch (error) {
    if (error instanceof InvalidAttributesError) throw new UsageError(error.problems.join('\n'));
    throw error;
  }

  const tracking = new TrackingBag(bag);
  try {
    const compiled = new ExpressionCompilers(manifest).compile(expression, language);
    const value = compiled.evaluate(tracking);
    io.stdout(`${JSON.stringify({ value: toJsonValue(value), type: valueTypeName(compiled.type), referenced: tracking.referenced.toStrings() })}\n`);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof ExpressionCompileError) {
      io.stderr(`compile error: ${error.message}\n${pointAt(expression, error.position?.offset)}`);
      return EXIT_FAILURE;
    }
    if (error instanceof ExpressionEvaluationError) {
      io.stderr(`evaluation error: ${error.message}\nreferenced: ${JSON.stringify(tracking.referenced.toStrings())}\n`);
      return EXIT_FAILURE;
    }
    throw error;
  }
}

/** The expression with a caret under the offending character, for single-line expressions. */
function pointAt(expression: string, offset: number | undefined): string {
  if (offset === undefined || expression.includes('\n')) return '';
  return `  ${expression}\n  ${' '.repeat(offset)}^\n`;
}
