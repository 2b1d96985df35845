// Appends documents as NDJSON to a file without blocking the pipeline; bounded: beyond
// maxBufferedBytes documents are dropped and counted.

import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

export class NdjsonWriter {
  private readonly stream: WriteStream;
  dropped = 0;

  constructor(path: string, private readonly maxBufferedBytes = 64 << 20) {
    mkdirSync(dirname(path), { recursive: true });
    this.stream = createWriteStream(path, { flags: 'a', mode: 0o640 });
    this.stream.on('error', () => undefined);
  }

  write(doc: unknown): void {
    if (this.stream.writableLength > this.maxBufferedBytes) {
      this.dropped++;
      return;
    }
    this.stream.write(`${JSON.stringify(doc)}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(resolve));
  }
}
