/**
 * Redaction of secrets in text that may leave the process (errors, logs, events, traces).
 * The SDKs may echo request headers or URLs in their messages; every error we raise passes through here.
 */

const MIN_SECRET_LENGTH = 4;

/** Patterns that look like credentials even when we were not told the exact value. */
const CREDENTIAL_PATTERNS: RegExp[] = [
  /\b(sk-(?:ant-|proj-)?[A-Za-z0-9_-]{8,})/g,
  /(authorization\s*[:=]\s*)(?:bearer\s+)?[^\s"',}]+/gi,
  /(x-api-key\s*[:=]\s*)[^\s"',}]+/gi,
];

/**
 * Returns `text` with every occurrence of each secret (and anything shaped like a credential) replaced by
 * `[redacted]`. Secrets shorter than 4 characters are ignored: they cannot be told apart from ordinary text.
 */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
    out = out.split(secret).join('[redacted]');
    const trimmed = secret.trim();
    if (trimmed !== secret && trimmed.length >= MIN_SECRET_LENGTH) out = out.split(trimmed).join('[redacted]');
  }
  out = out.replace(CREDENTIAL_PATTERNS[0]!, '[redacted]');
  out = out.replace(CREDENTIAL_PATTERNS[1]!, '$1[redacted]');
  out = out.replace(CREDENTIAL_PATTERNS[2]!, '$1[redacted]');
  return out;
}
