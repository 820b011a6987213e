import { CST, Lexer } from 'yaml';
import { runAtOnce, type Steps } from './time-slicer.js';

/** Tokens scanned between checkpoints of nestingSteps. */
const TOKENS_PER_STEP = 2048;

/**
 * The first line where a YAML text nests deeper than `maxDepth`, found from its tokens before it
 * is parsed: the parser builds its whole syntax tree first, about 1 KiB per level, so half a
 * megabyte of `[` (or of `- ` on one line) would take gigabytes and end the process. Counts
 * the flow collections open (`[`, `{`) plus the block sequence entries and explicit keys
 * (`- `, `? `) opened on the current line; nesting across lines needs indentation growing with
 * depth, so the file size limit bounds it. Each counted token opens a level of its own, so
 * whatever this refuses would be refused after parsing too (yamlValue's depth limit).
 */
export function excessiveNesting(text: string, maxDepth: number): { line: number } | undefined {
  return runAtOnce(nestingSteps(text, maxDepth));
}

/** excessiveNesting as work that yields every TOKENS_PER_STEP tokens (see TimeSlicer). */
export function* nestingSteps(text: string, maxDepth: number): Steps<{ line: number } | undefined> {
  let line = 1;
  let scanned = 0;
  let flow = 0;
  let onLine = 0;
  for (const token of new Lexer().lex(text)) {
    if (++scanned % TOKENS_PER_STEP === 0) yield;
    switch (CST.tokenType(token)) {
      case 'flow-seq-start':
      case 'flow-map-start':
        flow++;
        break;
      case 'flow-seq-end':
      case 'flow-map-end':
        if (flow > 0) flow--;
        break;
      case 'seq-item-ind':
      case 'explicit-key-ind':
        onLine++;
        break;
      case 'doc-start':
        flow = 0;
        break;
      default:
        break;
    }
    if (flow + onLine > maxDepth) return { line };
    for (let at = token.indexOf('\n'); at !== -1; at = token.indexOf('\n', at + 1)) {
      line++;
      onLine = 0;
    }
  }
  return undefined;
}
