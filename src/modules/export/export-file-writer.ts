// Streams one JSON document to a file, section by section, row by row, respecting the file
// stream's backpressure: memory stays flat however many rows a person has. The document is sealed
// in 256 KB frames under the person's data key on its way to disk (export-file-cipher.ts).
import { once } from 'node:events';
import { createWriteStream, WriteStream } from 'node:fs';
import { EXPORT_FRAME_BYTES, ExportFrameSealer } from './export-file-cipher';

export class ExportFileWriter {
  private readonly stream: WriteStream;
  private sectionCount = 0;
  private rowCount = 0;
  /** Text not yet sealed into a frame, and its length in UTF-16 units (a frame is cut at 256 K of them). */
  private pending: string[] = [];
  private pendingLength = 0;

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
   * One write per batch: a write (and its backpressure check) per row costs more than the JSON.
   * The batch is serialised as one array, without its brackets: one call instead of one per row.
   */
  async rows(values: unknown[]): Promise<void> {
    if (values.length === 0) return;
    const separator = this.rowCount > 0 ? ',' : '';
    this.rowCount += values.length;
    const array = JSON.stringify(values);
    await this.write(separator + array.slice(1, -1));
  }

  async endArray(): Promise<void> {
    await this.write(']');
  }

  async end(): Promise<void> {
    this.pending.push('}\n');
    await this.writeBytes(this.sealer.seal(Buffer.from(this.pending.join(''), 'utf8'), true));
    this.pending = [];
    this.stream.end();
    await once(this.stream, 'close');
  }

  destroy(): void {
    this.stream.destroy();
  }

  private async write(chunk: string): Promise<void> {
    this.pending.push(chunk);
    this.pendingLength += chunk.length;
    if (this.pendingLength < EXPORT_FRAME_BYTES) return;
    const text = this.pending.join('');
    this.pending = [];
    this.pendingLength = 0;
    // Whole frames only; the rest waits for the next write (or the last frame).
    let start = 0;
    while (start + EXPORT_FRAME_BYTES <= text.length) {
      let end = start + EXPORT_FRAME_BYTES;
      // Never between the two halves of a surrogate pair: each half alone would encode as U+FFFD.
      const last = text.charCodeAt(end - 1);
      if (last >= 0xd800 && last <= 0xdbff) end -= 1;
      await this.writeBytes(this.sealer.seal(Buffer.from(text.slice(start, end), 'utf8'), false));
      start = end;
    }
    if (start < text.length) {
      this.pending.push(text.slice(start));
      this.pendingLength = text.length - start;
    }
  }

  private async writeBytes(bytes: Buffer): Promise<void> {
    if (!this.stream.write(bytes)) await once(this.stream, 'drain');
  }
}
