// The Nest face of the redaction API (src/core/redaction): the same counted functions the logger,
// ingestion and analysis call, for the modules that inject it, and the process-wide counts of
// redacted entities (every caller's, by profile and type) for the metrics endpoint.
import { Injectable } from '@nestjs/common';
import {
  EntityType,
  maskUserId,
  RedactionCount,
  RedactionProfile,
  RedactionResult,
  redactionTally,
  redactObject,
  redactText,
} from '../../core/redaction';
import { PromptSanitizer } from './prompt-sanitizer';

@Injectable()
export class RedactionService {
  redactText(text: string, profile: RedactionProfile = 'log'): RedactionResult {
    return redactText(text, profile);
  }

  redactObject(value: unknown, profile: RedactionProfile = 'log'): unknown {
    return redactObject(value, profile);
  }

  maskUserId(id: string): string {
    return maskUserId(id);
  }

  /** One sanitizer per analysis run, so placeholders are stable across that run's tweets. */
  createPromptSanitizer(): PromptSanitizer {
    return new PromptSanitizer();
  }

  /** Entities redacted in this process since start-up, wherever it happened, by type (a copy). */
  countsByType(): Record<EntityType, number> {
    return redactionTally.byType();
  }

  /** The same, by profile and type (a copy). */
  counts(): RedactionCount[] {
    return redactionTally.snapshot();
  }
}
