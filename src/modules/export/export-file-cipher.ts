// Export files on disk are sealed under the person's data key (crypto-shredding): a file is the
// magic `RZE1` and then frames, each `u32 length | nonce | tag | ciphertext` of up to 256 KB of the
// JSON document, bound to the person, the frame's position and whether it is the last one (a file
// cut short, or with frames reordered, does not open). Frames, not values: one cipher per 256 KB.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { ContentDecryptionError, PersonKey } from '../../core/crypto/content-cipher';

export const EXPORT_FILE_MAGIC = Buffer.from('RZE1', 'ascii');
/** Plain bytes per frame. */
export const EXPORT_FRAME_BYTES = 256 * 1024;
const LENGTH_BYTES = 4;
/** A sealed frame is its plain bytes plus nonce and tag: anything larger is not a frame of ours. */
const MAX_SEALED_FRAME = EXPORT_FRAME_BYTES * 4 + 28;

function frameBinding(userId: string, index: number, last: boolean): string {
  return `data_exports.file:${userId}:${index}:${last ? 'last' : 'more'}`;
}

/** Seals a document's bytes frame by frame, in order. */
export class ExportFrameSealer {
  private index = 0;

  constructor(private readonly key: PersonKey) {}

  /** The file's first bytes. */
  header(): Buffer {
    return EXPORT_FILE_MAGIC;
  }

  /** One frame, length-prefixed; `last` for the document's final frame (which may be empty). */
  seal(plain: Buffer, last: boolean): Buffer {
    const sealed = this.key.sealBytes(frameBinding(this.key.userId, this.index++, last), plain);
    const length = Buffer.allocUnsafe(LENGTH_BYTES);
    length.writeUInt32BE(sealed.length);
    return Buffer.concat([length, sealed]);
  }
}

/**
 * The plain document of a sealed export file, decrypted frame by frame as it is read (memory: two
 * frames). Fails (the stream errors) when a frame does not open, or the file ends before its last frame.
 */
export function openExportFile(path: string, key: PersonKey): Readable {
  return Readable.from(openFrames(createReadStream(path, { highWaterMark: EXPORT_FRAME_BYTES }), key));
}

async function* openFrames(file: AsyncIterable<Buffer>, key: PersonKey): AsyncGenerator<Buffer> {
  let pending: Buffer = Buffer.alloc(0);
  let index = 0;
  let headerSeen = false;
  let lastSeen = false;
  for await (const chunk of file) {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    if (!headerSeen) {
      if (pending.length < EXPORT_FILE_MAGIC.length) continue;
      if (!pending.subarray(0, EXPORT_FILE_MAGIC.length).equals(EXPORT_FILE_MAGIC)) throw new ContentDecryptionError('Not a sealed export file');
      pending = pending.subarray(EXPORT_FILE_MAGIC.length);
      headerSeen = true;
    }
    while (pending.length >= LENGTH_BYTES) {
      const length = pending.readUInt32BE(0);
      if (length > MAX_SEALED_FRAME) throw new ContentDecryptionError('Malformed sealed export frame');
      if (pending.length < LENGTH_BYTES + length) break;
      if (lastSeen) throw new ContentDecryptionError('Sealed export file has data after its last frame');
      const sealed = pending.subarray(LENGTH_BYTES, LENGTH_BYTES + length);
      pending = pending.subarray(LENGTH_BYTES + length);
      const plain = openFrame(key, index, sealed);
      index += 1;
      lastSeen = plain.last;
      if (plain.bytes.length > 0) yield plain.bytes;
    }
  }
  if (!lastSeen || pending.length > 0) throw new ContentDecryptionError('Sealed export file is cut short');
}

/** A frame opens under exactly one of its two bindings: the last frame's, or a middle one's. */
function openFrame(key: PersonKey, index: number, sealed: Buffer): { bytes: Buffer; last: boolean } {
  try {
    return { bytes: key.openBytes(frameBinding(key.userId, index, false), sealed, 'export frame'), last: false };
  } catch (error) {
    if (!(error instanceof ContentDecryptionError)) throw error;
    return { bytes: key.openBytes(frameBinding(key.userId, index, true), sealed, 'export frame'), last: true };
  }
}
