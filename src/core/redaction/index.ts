// The redaction functions: pure, without Nest, so the logger can use them before dependency
// injection starts and every module can use them without depending on the Redaction module.
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
