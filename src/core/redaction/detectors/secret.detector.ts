// Credentials in free text: well-known token shapes (JWTs, provider API keys, private keys, the
// token after "Bearer") and the value of any key=value or "key": "value" pair whose key names a
// credential. Only the value is the entity, so `password=[SECRET]` still reads as what it was.
import { Detector, Findings } from './detector';

const TOKEN_SHAPES = new RegExp(
  [
    // JWT: base64url header and payload (both JSON, hence "eyJ"), optional signature; provider
    // API keys by their documented prefixes; the token after "Bearer" (captured), which must
    // hold a digit so that prose such as "bearer instruments" stays out.
    String.raw`(?<![\w-])(?:eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*|sk-(?:ant-|proj-|svcacct-)?[\w-]{16,}|[rs]k_(?:live|test)_[A-Za-z0-9]{10,}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{30,}|glpat-[\w-]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}|(?:AKIA|ASIA)[0-9A-Z]{16}|AIza[\w-]{35}|npm_[A-Za-z0-9]{36}|(?:[Bb]earer|BEARER)[ \t]+((?=[\w.~+\/-]*\d)[\w.~+\/-]{8,}=*))`,
    // PEM private keys, also when the END line was cut off.
    String.raw`-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)`,
  ].join('|'),
  'g',
);

// Every shape above has a '_' or '-' followed by eight word characters, or one of these
// literals. This test costs a fraction of TOKEN_SHAPES and rules out most texts.
const MIGHT_HOLD_TOKEN_SHAPE = /[_-]\w{8}|eyJ|A(?:KIA|SIA|Iza)|earer|EARER|-----BEGIN/;

// Anchored on the key's last word so the engine searches for a few literals instead of trying a
// key prefix from every word; whatever precedes (`db_`, `client_`, `x-`) is irrelevant. A value
// that is already a placeholder such as [SECRET] is not a secret again.
const CREDENTIAL_KEY_VALUE = new RegExp(
  String.raw`(?:passw(?:or)?d|pwd|passphrase|secret|token|(?:api|access|secret|private)[_-]?key|authorization|cookie)["']?[ \t]*[:=][ \t]*(?!["']?\[[A-Z0-9_]+\])(?:"((?:[^"\\\r\n]|\\.)+)"|'((?:[^'\\\r\n]|\\.)+)'|([^\s"'&,;}\]]+))`,
  'gi',
);

// An Authorization value starts with its scheme; a Cookie value holds several name=value pairs.
const AUTHORIZATION_KEY = /authorization["']?[ \t]*[:=]/iy;
const COOKIE_KEY = /cookie["']?[ \t]*[:=]/iy;
const AUTHORIZATION_SCHEME = /^(?:bearer|basic|digest|token|negotiate)$/i;
const AFTER_SCHEME_CREDENTIAL = /[ \t]+[^\s"'&,;}\]]+/y;
const FURTHER_COOKIES = /(?:;[ \t]*[^\s;=,"']+=[^\s;,"']*)+/y;

function startsWithKey(key: RegExp, text: string, at: number): boolean {
  key.lastIndex = at;
  return key.test(text);
}

/** End of an unquoted credential value, extended over an auth scheme's credential or more cookies. */
function unquotedValueEnd(text: string, keyStart: number, valueStart: number, valueEnd: number): number {
  let follow: RegExp | null = null;
  if (startsWithKey(AUTHORIZATION_KEY, text, keyStart) && AUTHORIZATION_SCHEME.test(text.slice(valueStart, valueEnd))) {
    follow = AFTER_SCHEME_CREDENTIAL;
  } else if (startsWithKey(COOKIE_KEY, text, keyStart)) {
    follow = FURTHER_COOKIES;
  }
  if (follow === null) return valueEnd;
  follow.lastIndex = valueEnd;
  const more = follow.exec(text);
  return more === null ? valueEnd : valueEnd + more[0].length;
}

export const tokenShapeDetector: Detector = {
  // The hints hold a cheaper superset of MIGHT_HOLD_TOKEN_SHAPE, found in the same pass as the others.
  applies: (hints) => hints.mightHoldTokenShape,
  detect(text: string, findings: Findings): void {
    if (!MIGHT_HOLD_TOKEN_SHAPE.test(text)) return;
    TOKEN_SHAPES.lastIndex = 0;
    for (let match = TOKEN_SHAPES.exec(text); match !== null; match = TOKEN_SHAPES.exec(text)) {
      const end = match.index + match[0].length;
      const bearerToken = match[1];
      findings.entities.push({ type: 'SECRET', start: bearerToken === undefined ? match.index : end - bearerToken.length, end });
    }
  },
};

export const credentialValueDetector: Detector = {
  // The key's last letter (d, e, t, n or y) before the ':' or '='.
  applies: (hints) => hints.mightHoldCredentialValue,
  detect(text: string, findings: Findings): void {
    CREDENTIAL_KEY_VALUE.lastIndex = 0;
    for (let match = CREDENTIAL_KEY_VALUE.exec(text); match !== null; match = CREDENTIAL_KEY_VALUE.exec(text)) {
      // The value ends the match, before the closing quote when quoted: its offsets follow from
      // the lengths (cheaper than the `d` flag's index arrays).
      const matchEnd = match.index + match[0].length;
      const quoted = match[1] ?? match[2];
      if (quoted !== undefined) {
        findings.entities.push({ type: 'SECRET', start: matchEnd - 1 - quoted.length, end: matchEnd - 1 });
        continue;
      }
      const start = matchEnd - match[3].length;
      findings.entities.push({ type: 'SECRET', start, end: unquotedValueEnd(text, match.index, start, matchEnd) });
    }
  },
};

export const secretDetectors: readonly Detector[] = [tokenShapeDetector, credentialValueDetector];
