// The redaction API: plain functions, without Nest, so the logger can use them before dependency
// injection starts and every module can use them without depending on the Redaction module. Every
// caller goes through `redactText`, `redactTextWith` and `redactObject` here (redact.ts), which
// count each redacted entity by profile and type in `redactionTally` (the metric's source).
export { ENTITY_TYPES } from './entity-type';
export type { DetectedEntity, EntityType, RedactionProfile, RedactionResult } from './entity-type';
export { detectEntities } from './detect-entities';
export { redactObject, redactText, redactTextWith } from './redact';
export { REDACTION_PROFILES, RedactionTally, redactionTally } from './redaction-tally';
export type { RedactionCount } from './redaction-tally';
export type { ObjectRedactionOptions } from './redact-object';
export { PlaceholderRegistry } from './placeholders';
export {
  MAX_REDACTION_DEPTH,
  SECRET_VALUE,
  CIRCULAR_VALUE,
  TRUNCATED_VALUE,
  BINARY_VALUE,
} from './redact-object';
export { isSensitiveKey } from './sensitive-keys';
export { maskUserId } from './mask-user-id';
