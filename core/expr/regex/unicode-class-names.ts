/**
 * The Unicode class names that Go 1.26 `regexp` accepts in `\p{…}` / `\P{…}`, keyed by Go's
 * canonical form of a name (the separators `_`, `-` and space removed, the first letter upper-case,
 * the rest lower-case), each with the table it selects. Go looks names up only in that canonical
 * form, so table keys that are not canonical themselves (`Old_Italic`, `SignWriting`) are
 * unreachable in Go 1.26 and absent here.
 *
 * Data listed from Go 1.26 (`unicode.Categories`, `unicode.Scripts`, `unicode.CategoryAliases` and
 * the specials Any, Assigned, ASCII and LC), keeping every name that `regexp.Compile` accepts. An
 * entry is either a name that is its own table or `[canonical name, table]`.
 */
const ENTRIES: ReadonlyArray<string | readonly [string, string]> = [
  'Adlam', 'Ahom', 'Any', 'Arabic', 'Armenian', ['Ascii', 'ASCII'], 'Assigned', 'Avestan',
  'Balinese', 'Bamum', 'Batak', 'Bengali', 'Bhaiksuki', 'Bopomofo', 'Brahmi', 'Braille',
  'Buginese', 'Buhid', 'C', 'Carian', ['Casedletter', 'LC'], 'Cc', 'Cf', 'Chakma', 'Cham',
  'Cherokee', 'Chorasmian', ['Closepunctuation', 'Pe'], 'Cn', ['Cntrl', 'Cc'], 'Co',
  ['Combiningmark', 'M'], 'Common', ['Connectorpunctuation', 'Pc'], ['Control', 'Cc'], 'Coptic',
  'Cs', 'Cuneiform', ['Currencysymbol', 'Sc'], 'Cypriot', 'Cyrillic', ['Dashpunctuation', 'Pd'],
  ['Decimalnumber', 'Nd'], 'Deseret', 'Devanagari', ['Digit', 'Nd'], 'Dogra', 'Duployan',
  'Elbasan', 'Elymaic', ['Enclosingmark', 'Me'], 'Ethiopic', ['Finalpunctuation', 'Pf'],
  ['Format', 'Cf'], 'Georgian', 'Glagolitic', 'Gothic', 'Grantha', 'Greek', 'Gujarati', 'Gurmukhi',
  'Han', 'Hangul', 'Hanunoo', 'Hatran', 'Hebrew', 'Hiragana', 'Inherited',
  ['Initialpunctuation', 'Pi'], 'Javanese', 'Kaithi', 'Kannada', 'Katakana', 'Kawi', 'Kharoshthi',
  'Khmer', 'Khojki', 'Khudawadi', 'L', 'Lao', 'Latin', ['Lc', 'LC'], 'Lepcha', ['Letter', 'L'],
  ['Letternumber', 'Nl'], 'Limbu', ['Lineseparator', 'Zl'], 'Lisu', 'Ll', 'Lm', 'Lo',
  ['Lowercaseletter', 'Ll'], 'Lt', 'Lu', 'Lycian', 'Lydian', 'M', 'Mahajani', 'Makasar',
  'Malayalam', 'Mandaic', 'Manichaean', 'Marchen', ['Mark', 'M'], ['Mathsymbol', 'Sm'], 'Mc', 'Me',
  'Medefaidrin', 'Miao', 'Mn', 'Modi', ['Modifierletter', 'Lm'], ['Modifiersymbol', 'Sk'],
  'Mongolian', 'Mro', 'Multani', 'Myanmar', 'N', 'Nabataean', 'Nandinagari', 'Nd', 'Newa', 'Nko',
  'Nl', 'No', ['Nonspacingmark', 'Mn'], ['Number', 'N'], 'Nushu', 'Ogham',
  ['Openpunctuation', 'Ps'], 'Oriya', 'Osage', 'Osmanya', ['Other', 'C'], ['Otherletter', 'Lo'],
  ['Othernumber', 'No'], ['Otherpunctuation', 'Po'], ['Othersymbol', 'So'], 'P', 'Palmyrene',
  ['Paragraphseparator', 'Zp'], 'Pc', 'Pd', 'Pe', 'Pf', 'Phoenician', 'Pi', 'Po',
  ['Privateuse', 'Co'], 'Ps', ['Punct', 'P'], ['Punctuation', 'P'], 'Rejang', 'Runic', 'S',
  'Samaritan', 'Saurashtra', 'Sc', ['Separator', 'Z'], 'Sharada', 'Shavian', 'Siddham', 'Sinhala',
  'Sk', 'Sm', 'So', 'Sogdian', 'Soyombo', ['Spaceseparator', 'Zs'], ['Spacingmark', 'Mc'],
  'Sundanese', ['Surrogate', 'Cs'], ['Symbol', 'S'], 'Syriac', 'Tagalog', 'Tagbanwa', 'Takri',
  'Tamil', 'Tangsa', 'Tangut', 'Telugu', 'Thaana', 'Thai', 'Tibetan', 'Tifinagh', 'Tirhuta',
  ['Titlecaseletter', 'Lt'], 'Toto', 'Ugaritic', ['Unassigned', 'Cn'], ['Uppercaseletter', 'Lu'],
  'Vai', 'Vithkuqi', 'Wancho', 'Yezidi', 'Yi', 'Z', 'Zl', 'Zp', 'Zs',
];

const TABLES: ReadonlyMap<string, string> = new Map(
  ENTRIES.map((entry): [string, string] => (typeof entry === 'string' ? [entry, entry] : [entry[0], entry[1]])),
);

/** Every accepted name in canonical form (for tests and diagnostics). */
export const UNICODE_CLASS_NAMES: readonly string[] = [...TABLES.keys()];

/** Go's canonical lookup form of a class name: `greek` → `Greek`, `cased_letter` → `Casedletter`. */
export function canonicalUnicodeClassName(name: string): string {
  let out = '';
  let first = true;
  for (const ch of name) {
    if (ch === '_' || ch === '-' || ch === ' ') continue;
    if (first) {
      out += ch >= 'a' && ch <= 'z' ? ch.toUpperCase() : ch;
      first = false;
    } else {
      out += ch >= 'A' && ch <= 'Z' ? ch.toLowerCase() : ch;
    }
  }
  return out;
}

/**
 * The table that `\p{name}` selects (`Lu`, `Greek`, or one of the specials `Any`, `Assigned`,
 * `ASCII`, `LC`), or undefined when Go rejects the name.
 */
export function unicodeClassTable(name: string): string | undefined {
  return TABLES.get(canonicalUnicodeClassName(name));
}
