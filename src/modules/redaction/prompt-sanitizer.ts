// Lives for one analysis run: every tweet of the run goes through the same placeholders, so the
// model sees that two tweets mention the same [USER_1] without ever seeing who that is.
import { detectEntities } from '../../core/redaction/detect-entities';
import { DetectedEntity } from '../../core/redaction/entity-type';
import { PlaceholderRegistry } from '../../core/redaction/placeholders';
import { redactTextWith } from '../../core/redaction/redact-text';
import { PromptContainsPiiException } from './redaction.exception';

export type EntitiesListener = (entities: readonly DetectedEntity[]) => void;

export class PromptSanitizer {
  private readonly placeholders = new PlaceholderRegistry();

  constructor(private readonly onEntities: EntitiesListener = () => undefined) {}

  sanitize(text: string): string {
    const result = redactTextWith(text, 'prompt', this.placeholders);
    if (result.entities.length > 0) this.onEntities(result.entities);
    return result.text;
  }

  /** The last check before sending: throws if any detector still finds anything in the prompt. */
  assertClean(finalPrompt: string): void {
    const remaining = detectEntities(finalPrompt, 'prompt');
    if (remaining.length > 0) throw new PromptContainsPiiException(remaining.map((entity) => entity.type));
  }
}
