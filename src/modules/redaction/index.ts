// The Redaction module's public surface. The plain functions work without Nest, for the logger
// that starts before dependency injection does.
export { ENTITY_TYPES } from './entity-type';
export type { DetectedEntity, EntityType, RedactionProfile, RedactionResult } from './entity-type';
export { detectEntities } from './detect-entities';
export { redactText } from './redact-text';
export {
  redactObject,
  MAX_REDACTION_DEPTH,
  SECRET_VALUE,
  CIRCULAR_VALUE,
  TRUNCATED_VALUE,
  BINARY_VALUE,
} from './redact-object';
export { isSensitiveKey } from './sensitive-keys';
export { maskUserId } from './mask-user-id';
export { PromptSanitizer } from './prompt-sanitizer';
export { PromptContainsPiiException, RedactionErrorCode } from './redaction.exception';
export { RedactionService } from './redaction.service';
export { RedactionModule } from './redaction.module';
export { runRedactCommand } from './redact.command';
export type { RedactCommandOptions } from './redact.command';
