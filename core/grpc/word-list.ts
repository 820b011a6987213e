import { GLOBAL_WORD_COUNT, GLOBAL_WORDS } from './global-dictionary.js';
import { utf8Text } from './wire-reader.js';

/**
 * A message's own dictionary (CompressedAttributes.words, or a Report's default_words) as byte
 * ranges into the received buffer. A word is decoded the first time it is needed; the reverse
 * map (word → index) is built on the first name lookup. Index rules: −1 is word 0, −2 word 1.
 */
export class WordList {
  static readonly EMPTY = new WordList(Buffer.alloc(0), []);

  private readonly decoded: (string | undefined)[];
  private reverse: Map<string, number> | undefined;

  /** `ranges` holds start, end pairs, one pair per word, in order. */
  constructor(
    private readonly buf: Buffer,
    private readonly ranges: readonly number[],
  ) {
    this.decoded = new Array<string | undefined>(ranges.length >> 1);
  }

  /** A word list of already decoded words. */
  static of(words: readonly string[]): WordList {
    const list = new WordList(Buffer.alloc(0), new Array<number>(words.length * 2).fill(0));
    words.forEach((word, slot) => (list.decoded[slot] = word));
    return list;
  }

  get size(): number {
    return this.decoded.length;
  }

  /** The word in `slot` (0-based); the caller checks the slot is in range. */
  word(slot: number): string {
    let word = this.decoded[slot];
    if (word === undefined) {
      word = utf8Text(this.buf, this.ranges[slot * 2]!, this.ranges[slot * 2 + 1]!);
      this.decoded[slot] = word;
    }
    return word;
  }

  /**
   * The (negative) index of `word` in this list, or undefined. When a word appears twice, the
   * later slot wins, as in Mixer's message dictionary.
   */
  indexOf(word: string): number | undefined {
    if (this.decoded.length === 0) return undefined;
    if (this.reverse === undefined) {
      this.reverse = new Map();
      for (let slot = 0; slot < this.decoded.length; slot++) this.reverse.set(this.word(slot), -(slot + 1));
    }
    return this.reverse.get(word);
  }

  /** True when `index` names a word of the global dictionary or of this list. */
  defines(index: number): boolean {
    return index >= 0 ? index < GLOBAL_WORD_COUNT : -index - 1 < this.decoded.length;
  }

  /** The word an index names: global for index ≥ 0, this list's for index < 0 (checked by `defines`). */
  resolve(index: number): string {
    return index >= 0 ? GLOBAL_WORDS[index]! : this.word(-index - 1);
  }
}
