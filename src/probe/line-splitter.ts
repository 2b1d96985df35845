// A byte stream -> its lines, handed on in one batch per chunk read (not one callback per line).
// A line longer than maxLength (UTF-16 units) is dropped whole, across chunks, and counted once;
// a multi-byte UTF-8 character split between chunks is joined. Empty lines are skipped.

import { StringDecoder } from 'node:string_decoder';

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  /** the unterminated end of the last chunk */
  private rest = '';
  /** inside a line already dropped as over-long: skip up to its newline */
  private skipping = false;

  constructor(
    private readonly maxLength: number,
    private readonly onLines: (lines: string[]) => void,
    private readonly onOverflow: () => void = () => undefined,
  ) {}

  write(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const lines: string[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const piece = start === 0 && this.rest ? this.rest + text.slice(0, nl) : text.slice(start, nl);
      if (start === 0) this.rest = '';
      start = nl + 1;
      if (this.skipping) this.skipping = false;
      else if (piece.length > this.maxLength) this.onOverflow();
      else if (piece) lines.push(piece);
    }
    if (!this.skipping) {
      const tail = start === 0 ? this.rest + text : text.slice(start);
      if (tail.length > this.maxLength) {
        this.onOverflow();
        this.skipping = true;
        this.rest = '';
      } else this.rest = tail;
    }
    if (lines.length) this.onLines(lines);
  }

  /** The stream ended: a last line without its newline is still a line. */
  end(): void {
    this.write(`${this.decoder.end()}\n`);
  }
}
