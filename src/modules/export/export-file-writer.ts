// Streams one JSON document to a file, section by section, row by row, respecting the file
// stream's backpressure: memory stays flat however many rows a person has.
import { once } from 'node:events';
import { createWriteStream, WriteStream } from 'node:fs';

export class ExportFileWriter {
  private readonly stream: WriteStream;
  private sectionCount = 0;
  private rowCount = 0;

  constructor(path: string) {
    this.stream = createWriteStream(path, { flags: 'wx', mode: 0o600 });
  }

  async begin(): Promise<void> {
    await this.write('{');
  }

  async value(name: string, value: unknown): Promise<void> {
    await this.write(`${this.sectionCount++ > 0 ? ',' : ''}${JSON.stringify(name)}:${JSON.stringify(value)}`);
  }

  async beginArray(name: string): Promise<void> {
    this.rowCount = 0;
    await this.write(`${this.sectionCount++ > 0 ? ',' : ''}${JSON.stringify(name)}:[`);
  }

  /** One write per batch: a write (and its backpressure check) per row costs more than the JSON. */
  async rows(values: unknown[]): Promise<void> {
    if (values.length === 0) return;
    const separator = this.rowCount > 0 ? ',' : '';
    this.rowCount += values.length;
    await this.write(separator + values.map((value) => JSON.stringify(value)).join(','));
  }

  async endArray(): Promise<void> {
    await this.write(']');
  }

  async end(): Promise<void> {
    await this.write('}\n');
    this.stream.end();
    await once(this.stream, 'close');
  }

  destroy(): void {
    this.stream.destroy();
  }

  private async write(chunk: string): Promise<void> {
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }
}
