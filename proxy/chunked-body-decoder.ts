/** A chunked body (RFC 9112 §7.1) that does not follow the grammar. */
export class ChunkedBodyError extends Error {
  override readonly name = 'ChunkedBodyError';
}

const enum State {
  SIZE_LINE,
  DATA,
  DATA_CR,
  DATA_LF,
  TRAILER_LINE,
  DONE,
}

/** The longest chunk-size line (size, extensions) or trailer line accepted. */
const MAX_LINE = 4096;

/**
 * Decodes a chunked body incrementally, as the bytes arrive in any split. `push` hands each
 * piece of chunk data to `onData` (slices of the input, never copies) and says where the body
 * ended within the input (-1 while it goes on). Trailers are read and dropped.
 */
export class ChunkedBodyDecoder {
  private state = State.SIZE_LINE;
  private remaining = 0;
  private line = '';

  get done(): boolean {
    return this.state === State.DONE;
  }

  /** Returns the index just past the body's end in `input`, or -1 when more is needed. */
  push(input: Buffer, onData: (data: Buffer) => void): number {
    let index = 0;
    while (index < input.length) {
      switch (this.state) {
        case State.SIZE_LINE:
        case State.TRAILER_LINE: {
          const newline = input.indexOf(10, index);
          const end = newline < 0 ? input.length : newline;
          this.line += input.toString('latin1', index, end);
          if (this.line.length > MAX_LINE) throw new ChunkedBodyError('chunk size or trailer line too long');
          if (newline < 0) return -1;
          index = newline + 1;
          const line = this.line.endsWith('\r') ? this.line.slice(0, -1) : this.line;
          this.line = '';
          if (this.state === State.TRAILER_LINE) {
            if (line === '') {
              this.state = State.DONE;
              return index;
            }
            continue;
          }
          this.remaining = chunkSize(line);
          this.state = this.remaining === 0 ? State.TRAILER_LINE : State.DATA;
          break;
        }
        case State.DATA: {
          const take = Math.min(this.remaining, input.length - index);
          onData(index === 0 && take === input.length ? input : input.subarray(index, index + take));
          index += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = State.DATA_CR;
          break;
        }
        case State.DATA_CR:
          if (input[index] !== 13) throw new ChunkedBodyError('chunk data not followed by CRLF');
          index++;
          this.state = State.DATA_LF;
          break;
        case State.DATA_LF:
          if (input[index] !== 10) throw new ChunkedBodyError('chunk data not followed by CRLF');
          index++;
          this.state = State.SIZE_LINE;
          break;
        case State.DONE:
          return index;
      }
    }
    return -1;
  }
}

function chunkSize(line: string): number {
  const semicolon = line.indexOf(';');
  const digits = (semicolon < 0 ? line : line.slice(0, semicolon)).trim();
  if (!/^[0-9a-fA-F]{1,12}$/.test(digits)) throw new ChunkedBodyError(`invalid chunk size ${JSON.stringify(digits.slice(0, 40))}`);
  return parseInt(digits, 16);
}
