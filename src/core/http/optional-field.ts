import { ValidateIf } from 'class-validator';

/**
 * For an optional field of a JSON body: absent is fine, `null` is not. class-validator's
 * `@IsOptional()` skips the checks for null too, so `{"regime": null}` would be accepted (and read
 * as "not given") although the schema says the field is a string when present.
 */
export const OptionalField = () => ValidateIf((_object: object, value: unknown) => value !== undefined);
