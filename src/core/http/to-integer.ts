import { Transform } from 'class-transformer';

/**
 * Query text to a number only when it is written in decimal digits. `@Type(() => Number)` reads
 * '0x10', '1e1', ' 5' and '' as 16, 10, 5 and 0, so a schema of `integer` let hex and exponents
 * through; anything else now stays text, and `@IsInt` refuses it with a 400.
 */
export const ToInteger = () => Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d{1,15}$/.test(value) ? Number(value) : value));
