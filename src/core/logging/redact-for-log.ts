// The single hook through which every log record and audit detail passes before it is written.
// It applies the Redaction module's `log` profile.
export function redactForLog<T>(value: T): T {
  return value; // replaced by the Redaction module wiring
}
