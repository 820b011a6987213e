export { compileRegex, NATIVE_MAX_INPUT_LENGTH, type CompileRegexOptions, type Regex } from './compile-regex.js';
export { matchesRegex, defaultRegexCache } from './matches-regex.js';
export {
  RegexCache,
  DEFAULT_REGEX_CACHE_CAPACITY,
  MAX_CACHED_PATTERN_LENGTH,
  REQUEST_PATTERN_MAX_COST,
} from './regex-cache.js';
export { RegexSyntaxError, RegexErrorCode } from './regex-syntax-error.js';
export { linearRegexpSupport, REGEXP_V8_FLAGS } from './v8-regexp-flags.js';
