// Streams one JSON document to a file, section by section, row by row, respecting the file
// stream's backpressure: memory stays flat however many rows a person has. The document is sealed
// in 256 KB frames under the person's data key on its way to disk (export-file-cipher.ts).
//
// Text is turned into UTF-8 bytes as soon as it is written, in pieces of at most a few hundred
// rows, and frames are cut from the bytes. Why: a string over 128 KB is allocated in V8's
// large-object space, which only a full garbage collection frees; serialising a batch of 2,000
// rows as one string and joining frames as strings left about 1 MB of such garbage per batch, and
// the heap grew by about 110 MB over an export of 1,000,000 rows (bench:lifecycle). Small strings
// die young, and a Buffer's bytes live outside the heap and go with it.
import { once } from 'node:events';
import { createWriteStream, WriteStream } from 'node:fs';
import { EXPORT_FRAME_BYTES, ExportFrameSealer } from './export-file-cipher';

/** Rows serialised per string: a few hundred rows stay well under V8's 128 KB large-object size. */
export const EXPORT_ROWS_PER_CHUNK = 200;

export class ExportFileWriter {
  private readonly stream: WriteStream;
  private sectionCount = 0;
  private rowCount = 0;
  /** Bytes not yet sealed into a frame. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(
    path: string,
    private readonly sealer: ExportFrameSealer,
  ) {
    this.stream = createWriteStream(path, { flags: 'wx', mode: 0o600 });
  }

  async begin(): Promise<void> {
    await this.writeBytes(this.sealer.header());
    await this.write('{');
  }

  async value(name: string, value: unknown): Promise<void> {
    await this.write(`${this.sectionCount++ > 0 ? ',' : ''}${JSON.stringify(name)}:${JSON.stringify(value)}`);
  }

  async beginArray(name: string): Promise<void> {
    this.rowCount = 0;
    await this.write(`${this.sectionCount++ > 0 ? ',' : ''}${JSON.stringify(name)}:[`);
  }

  /**
   * A write per chunk of rows, not per row: a write (and its backpressure check) per row costs more
   * than the JSON. Each chunk is serialised as one array, without its brackets.
   */
  async rows(values: unknown[]): Promise<void> {
    for (let start = 0; start < values.length; start += EXPORT_ROWS_PER_CHUNK) {
      const chunk = values.slice(start, start + EXPORT_ROWS_PER_CHUNK);
      const separator = this.rowCount > 0 ? ',' : '';
      this.rowCount += chunk.length;
      await this.write(separator + JSON.stringify(chunk).slice(1, -1));
    }
  }

  async endArray(): Promise<void> {
    await this.write(']');
  }

  async end(): Promise<void> {
    this.pending.push(Buffer.from('}\n', 'utf8'));
    await this.writeBytes(this.sealer.seal(Buffer.concat(this.pending), true));
    this.pending = [];
    this.stream.end();
    await once(this.stream, 'close');
  }

  destroy(): void {
    this.stream.destroy();
  }

  private async write(chunk: string): Promise<void> {
    const bytes = Buffer.from(chunk, 'utf8');
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes < EXPORT_FRAME_BYTES) return;
    const all = Buffer.concat(this.pending, this.pendingBytes);
    // Whole frames only; the rest waits for the next write (or the last frame). A frame may end
    // inside a character's UTF-8 bytes: the file is one byte stream, and so is what opens it.
    let start = 0;
    for (; start + EXPORT_FRAME_BYTES <= all.length; start += EXPORT_FRAME_BYTES) {
      await this.writeBytes(this.sealer.seal(all.subarray(start, start + EXPORT_FRAME_BYTES), false));
    }
    this.pending = start < all.length ? [all.subarray(start)] : [];
    this.pendingBytes = all.length - start;
  }

  private async writeBytes(bytes: Buffer): Promise<void> {
    if (!this.stream.write(bytes)) await once(this.stream, 'drain');
  }
}
