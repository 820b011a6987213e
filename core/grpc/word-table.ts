import { GLOBAL_WORD_INDEX } from './global-dictionary.js';

/**
 * Assigns word indexes while a message is encoded (Mixer's dictState, Envoy's
 * MessageDictionary): a word of the global dictionary whose index is below `globalWordCount`
 * goes by that index; every other word is interned once in this table's own words and goes by
 * −(slot + 1). One table serves one message, or one whole Report batch.
 */
export class WordTable {
  readonly words: string[] = [];
  private readonly slots = new Map<string, number>();

  constructor(readonly globalWordCount: number) {}

  /** Every word `index` has answered, global or local: a batch repeats most words, so one lookup. */
  private readonly indexes = new Map<string, number>();

  index(word: string): number {
    let index = this.indexes.get(word);
    if (index === undefined) {
      const global = GLOBAL_WORD_INDEX.get(word);
      index = global !== undefined && global < this.globalWordCount ? global : this.local(word);
      this.indexes.set(word, index);
    }
    return index;
  }

  /**
   * An index that is never 0: for ReferencedAttributes.map_key, where 0 means "no key" (so a
   * key that is global word 0 goes into the table's words instead).
   */
  nonZeroIndex(word: string): number {
    const index = this.index(word);
    return index === 0 ? this.local(word) : index;
  }

  private local(word: string): number {
    let index = this.slots.get(word);
    if (index === undefined) {
      this.words.push(word);
      index = -this.words.length;
      this.slots.set(word, index);
    }
    return index;
  }
}
