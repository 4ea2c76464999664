/**
 * Redaction of secrets in text that may leave the process (errors, logs, events, traces).
 * The SDKs may echo request headers or URLs in their messages; every error we raise passes through here.
 */

const MIN_SECRET_LENGTH = 4;

/** What a secret is replaced with. */
export const REDACTED = '[redacted]';

/**
 * A URL in text: scheme, optional userinfo (`user:pass@`), host and path, optional query. Fragments are left
 * alone (they never reach a server).
 */
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@"'<>]*@)?([^\s?#"'<>]*)(\?[^\s#"'<>]*)?/gi;

/**
 * A URL as we may store, print or log it: userinfo and query (where keys hide: `?api_key=`, `user:pass@`)
 * replaced by `[redacted]`. A URL without either comes back unchanged; so does text that is not a URL,
 * except for what looks like userinfo or a query in it.
 */
export function redactUrl(url: string): string {
  return url.replace(URL_IN_TEXT, (_m, scheme: string, userinfo: string | undefined, rest: string, query: string | undefined) => {
    return `${scheme}${userinfo ? `${REDACTED}@` : ''}${rest}${query ? `?${REDACTED}` : ''}`;
  });
}

/** True for a URL that {@link redactUrl} changed: a stored copy whose secret part is gone. */
export function isRedactedUrl(url: string): boolean {
  return url.includes(REDACTED) || url.toLowerCase().includes('%5bredacted%5d');
}

/** Patterns that look like credentials even when we were not told the exact value. */
const CREDENTIAL_PATTERNS: RegExp[] = [
  /\b(sk-(?:ant-|proj-)?[A-Za-z0-9_-]{8,})/g,
  /(authorization["']?\s*[:=]\s*["']?)(?:bearer\s+|basic\s+)?[^\s"',}]+/gi,
  /((?:x-api-key|api-key|api_key|apikey)["']?\s*[:=]\s*["']?)[^\s"',}&]+/gi,
];

/**
 * Returns `text` with every occurrence of each secret (and anything shaped like a credential: keys,
 * `Authorization` / `x-api-key` / `api-key` values, a URL's userinfo and query) replaced by `[redacted]`.
 * Secrets shorter than 4 characters are ignored: they cannot be told apart from ordinary text.
 */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
    out = out.split(secret).join(REDACTED);
    const trimmed = secret.trim();
    if (trimmed !== secret && trimmed.length >= MIN_SECRET_LENGTH) out = out.split(trimmed).join(REDACTED);
  }
  out = redactUrl(out);
  out = out.replace(CREDENTIAL_PATTERNS[0]!, '[redacted]');
  out = out.replace(CREDENTIAL_PATTERNS[1]!, '$1[redacted]');
  out = out.replace(CREDENTIAL_PATTERNS[2]!, '$1[redacted]');
  return out;
}
