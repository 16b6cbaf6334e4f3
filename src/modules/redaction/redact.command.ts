// `npm run cli -- redact [--profile log|prompt] [--json]`: redacts stdin line by line, so it can
// sit in a shell pipeline in front of anything that must not see personal data.
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { RedactionProfile, redactText } from '../../core/redaction';

export interface RedactCommandOptions {
  profile: RedactionProfile;
  /** One `{ text, entities: [{ type, start, end }] }` object per line, offsets into the input line. */
  json: boolean;
}

function formatLine(line: string, options: RedactCommandOptions): string {
  const { text, entities } = redactText(line, options.profile);
  if (!options.json) return text;
  return JSON.stringify({ text, entities: entities.map(({ type, start, end }) => ({ type, start, end })) });
}

/** Writes one output line per input line; leaves `output` open, since it is often stdout. */
export async function runRedactCommand(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  options: RedactCommandOptions,
): Promise<void> {
  const lines = createInterface({ input, crlfDelay: Infinity, terminal: false });
  for await (const line of lines) {
    // Waiting for 'drain' keeps memory flat when the reader is slower than the input.
    if (!output.write(formatLine(line, options) + '\n')) await once(output, 'drain');
  }
}
