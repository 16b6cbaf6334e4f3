// Lives for one analysis run: every tweet of the run goes through the same placeholders, so the
// model sees that two tweets mention the same [USER_1] without ever seeing who that is.
// Its redactions go through the redaction API, which counts them (profile `prompt`).
import { detectEntities, PlaceholderRegistry, redactTextWith } from '../../core/redaction';
import { PromptContainsPiiException } from './redaction.exception';

export class PromptSanitizer {
  private readonly placeholders = new PlaceholderRegistry();

  sanitize(text: string): string {
    return redactTextWith(text, 'prompt', this.placeholders).text;
  }

  /** The last check before sending: throws if any detector still finds anything in the prompt. */
  assertClean(finalPrompt: string): void {
    const remaining = detectEntities(finalPrompt, 'prompt');
    if (remaining.length > 0) throw new PromptContainsPiiException(remaining.map((entity) => entity.type));
  }
}
