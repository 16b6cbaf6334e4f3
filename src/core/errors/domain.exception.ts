// Domain errors carry a stable machine-readable code; the global exception filter maps them to
// HTTP as `{ statusCode, code, message }`. Messages must never contain personal data or secrets.
export class DomainException extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode: number,
    /** Extra response headers, e.g. Retry-After on 429. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}
