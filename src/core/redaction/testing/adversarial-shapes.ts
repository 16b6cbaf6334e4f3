// Inputs shaped to make a detector backtrack or rescan: long runs of what its pattern repeats
// (closers after a URL, digit groups and separators, '@', dots, '%' escapes, IBAN-like groups).
// The linear-time property test and `npm run bench:redaction` both use them.

/** Builds a text of exactly `length` characters (or a little more) from a repeated unit. */
function repeat(prefix: string, unit: string, length: number): string {
  return prefix + unit.repeat(Math.max(1, Math.ceil((length - prefix.length) / unit.length)));
}

export const ADVERSARIAL_SHAPES: Readonly<Record<string, (length: number) => string>> = {
  'closers after a www URL': (n) => repeat('/api/(www.a', ')', n),
  'mixed closers after a URL': (n) => repeat('http://a.co/', ')]}', n),
  'openers after a URL': (n) => repeat('http://a.co/', '([{', n),
  'URL prefixes': (n) => repeat('', 'http://', n),
  'www prefixes': (n) => repeat('', 'www.', n),
  'international phone groups': (n) => repeat('', '+1 ', n),
  'phone groups with dots': (n) => repeat('+49 ', '30.', n),
  'national phone groups with slashes': (n) => repeat('', '030/', n),
  'national phone groups with parentheses': (n) => repeat('', '(0) 1 ', n),
  'digit groups with spaces': (n) => repeat('', '4111 ', n),
  'digit groups with dashes': (n) => repeat('', '12-', n),
  'one long digit run': (n) => repeat('', '7', n),
  'IBAN-like groups': (n) => repeat('', 'DE12 ', n),
  'IBAN account groups': (n) => repeat('DE89 ', 'AB12 ', n),
  'SSN-like groups': (n) => repeat('', '123-45-', n),
  'IPv4-like groups': (n) => repeat('', '1.1.', n),
  'IPv6-like groups': (n) => repeat('', 'a:', n),
  'at signs': (n) => repeat('', '@', n),
  'mentions': (n) => repeat('', '@a', n),
  'email local parts': (n) => repeat('', 'a.', n) + '@',
  'email domains': (n) => repeat('a@', 'b.', n),
  'dots': (n) => repeat('', '.', n),
  'percent escapes': (n) => repeat('', '%41', n),
  'credential keys': (n) => repeat('', 'password=', n),
  'bearer words': (n) => repeat('', 'Bearer ', n),
  'JWT-like segments': (n) => repeat('eyJ', 'a.', n),
  'API key prefix': (n) => repeat('sk-', 'a', n),
};
