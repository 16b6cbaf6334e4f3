// The single hook through which every log record, run log and audit detail passes before it is
// written: the Redaction module's `log` profile (PII and secrets replaced by `[TYPE]`).
import { redactObject } from '../../modules/redaction/redact-object';

export function redactForLog<T>(value: T): T {
  return redactObject(value, 'log') as T;
}
