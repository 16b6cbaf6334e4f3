// The Nest face of the Redaction module: the same functions the logger calls before DI exists,
// plus a running count of redacted entities by type for the metrics endpoint.
import { Injectable } from '@nestjs/common';
import { ENTITY_TYPES, EntityType, RedactionProfile, RedactionResult } from '../../core/redaction/entity-type';
import { maskUserId } from '../../core/redaction/mask-user-id';
import { PromptSanitizer } from './prompt-sanitizer';
import { redactObjectWith } from '../../core/redaction/redact-object';
import { redactTextWith, replacerFor } from '../../core/redaction/redact-text';

function zeroCounts(): Record<EntityType, number> {
  return Object.fromEntries(ENTITY_TYPES.map((type) => [type, 0])) as Record<EntityType, number>;
}

@Injectable()
export class RedactionService {
  private readonly counts = zeroCounts();

  redactText(text: string, profile: RedactionProfile = 'log'): RedactionResult {
    const result = redactTextWith(text, profile, replacerFor(profile));
    for (const entity of result.entities) this.counts[entity.type]++;
    return result;
  }

  redactObject(value: unknown, profile: RedactionProfile = 'log'): unknown {
    return redactObjectWith(value, profile, replacerFor(profile), (type) => this.counts[type]++);
  }

  maskUserId(id: string): string {
    return maskUserId(id);
  }

  /** One sanitizer per analysis run, so placeholders are stable across that run's tweets. */
  createPromptSanitizer(): PromptSanitizer {
    return new PromptSanitizer((entities) => {
      for (const entity of entities) this.counts[entity.type]++;
    });
  }

  /** Entities redacted through this service since start-up, by type (a copy). */
  countsByType(): Record<EntityType, number> {
    return { ...this.counts };
  }
}
