import { DomainException } from '../../core/errors/domain.exception';
import { EntityType } from '../../core/redaction/entity-type';

export enum RedactionErrorCode {
  PROMPT_CONTAINS_PII = 'PROMPT_CONTAINS_PII',
}

/**
 * A prompt about to leave for an AI provider still holds personal data. The message names the
 * entity types only: the values are exactly what must not travel any further, into logs either.
 */
export class PromptContainsPiiException extends DomainException {
  readonly types: readonly EntityType[];

  constructor(types: readonly EntityType[]) {
    const distinct = [...new Set(types)].sort();
    super(RedactionErrorCode.PROMPT_CONTAINS_PII, `Prompt refused: it still contains ${distinct.join(', ')}`, 500);
    this.types = distinct;
  }
}
