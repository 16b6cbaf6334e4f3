import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PersonKey } from '../../core/crypto/content-cipher';
import { EXPORT_FRAME_BYTES, ExportFrameSealer, openExportFile } from './export-file-cipher';
import { ExportFileWriter } from './export-file-writer';

async function readAll(path: string, key: PersonKey): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of openExportFile(path, key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe(ExportFrameSealer.name, () => {
  const key = new PersonKey('alice', 'kid-a', randomBytes(32));
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'repazoo-export-cipher-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A document of several frames, with multibyte characters across the frame boundaries. */
  async function writeDocument(path: string): Promise<string> {
    const writer = new ExportFileWriter(path, new ExportFrameSealer(key));
    const rows = Array.from({ length: 9000 }, (_, i) => ({ id: i, text: `tweet ${i} about the launch 🎉 é 中文 ${'x'.repeat(i % 50)}` }));
    await writer.begin();
    await writer.value('exportedAt', '2026-12-04T00:00:00.000Z');
    await writer.beginArray('tweets');
    for (let start = 0; start < rows.length; start += 1000) await writer.rows(rows.slice(start, start + 1000));
    await writer.endArray();
    await writer.end();
    return `${JSON.stringify({ exportedAt: '2026-12-04T00:00:00.000Z', tweets: rows })}\n`;
  }

  it('should seal a document in frames that hide it and read it back exactly', async () => {
    const path = join(dir, 'export.json');
    const expected = await writeDocument(path);
    const sealed = readFileSync(path);

    expect(Buffer.byteLength(expected)).toBeGreaterThan(2 * EXPORT_FRAME_BYTES);
    expect(sealed.subarray(0, 4).toString('ascii')).toBe('RZE1');
    expect(sealed.includes(Buffer.from('about the launch'))).toBe(false);
    expect(await readAll(path, key)).toBe(expected);
    // Frames are cut from the UTF-8 bytes: every frame but the last holds exactly 256 KB (plus nonce
    // and tag), wherever that falls in a multibyte character.
    const frameLengths: number[] = [];
    for (let offset = 4; offset < sealed.length; offset += 4 + frameLengths[frameLengths.length - 1]) frameLengths.push(sealed.readUInt32BE(offset));
    expect(frameLengths.length).toBeGreaterThan(2);
    expect(frameLengths.slice(0, -1).every((length) => length === EXPORT_FRAME_BYTES + 28)).toBe(true);
    expect(frameLengths[frameLengths.length - 1]).toBeLessThanOrEqual(EXPORT_FRAME_BYTES + 28);
  });

  it('should refuse a file cut short, a file with a frame dropped, and another person’s key', async () => {
    const path = join(dir, 'export.json');
    await writeDocument(path);
    const sealed = readFileSync(path);
    const firstLength = sealed.readUInt32BE(4);
    const firstFrameEnd = 4 + 4 + firstLength;

    writeFileSync(join(dir, 'cut.json'), sealed.subarray(0, firstFrameEnd));
    await expect(readAll(join(dir, 'cut.json'), key)).rejects.toThrow();
    writeFileSync(join(dir, 'dropped.json'), Buffer.concat([sealed.subarray(0, 4), sealed.subarray(firstFrameEnd)]));
    await expect(readAll(join(dir, 'dropped.json'), key)).rejects.toThrow('failed authentication');
    await expect(readAll(path, new PersonKey('bob', 'kid-a', randomBytes(32)))).rejects.toThrow('failed authentication');
  });
});
