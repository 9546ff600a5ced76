import type { GatewayConfig } from './config.js'

/**
 * Secrets never leave the process. Upstream servers echo what they were
 * sent (an MLflow server behind a proxy answered with our Authorization
 * header in its error text), so every upstream message is redacted before
 * it reaches a client, a log line or `/ready`: first every secret value the
 * config holds (and the encodings we send them in), then anything shaped
 * like a credential.
 */

const REDACTED = '[redacted]'

/** Values of the config that are secrets, and the forms they travel in. */
const secrets = new Set<string>()

const CREDENTIAL_SHAPES: { pattern: RegExp; replacement: string }[] = [
  // Authorization-like headers echoed as text, up to the end of the line or quote.
  {
    pattern: /\b(authorization|proxy-authorization|x-amz-security-token|cookie|set-cookie|x-api-key)(["']?\s*[:=]\s*["']?)[^\r\n"',}]*/gi,
    replacement: `$1$2${REDACTED}`,
  },
  { pattern: /\b(Bearer|Basic|AWS4-HMAC-SHA256)\s+[A-Za-z0-9+/=._~:,-]+/g, replacement: `$1 ${REDACTED}` },
  // user:password@ in URLs.
  { pattern: /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]*@/gi, replacement: `$1${REDACTED}@` },
  // AWS signing query parameters.
  { pattern: /\b(X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token)=[^&\s"']+/gi, replacement: `$1=${REDACTED}` },
]

/** Remembers the config's secrets, so later text can be scrubbed of them. Idempotent; secrets of several configs accumulate. */
export function rememberSecrets(config: GatewayConfig): void {
  for (const backend of config.backends) {
    if (backend.kind === 'native' && backend.database) {
      const password = safeUrl(backend.database)?.password
      if (password) addSecret(decodeURIComponent(password))
    }
    if (backend.kind === 'mlflow' && backend.auth) {
      if ('bearer' in backend.auth) addSecret(backend.auth.bearer)
      if ('basic' in backend.auth) {
        const { username, password } = backend.auth.basic
        addSecret(password)
        addSecret(Buffer.from(`${username}:${password}`).toString('base64'))
      }
    }
    if (backend.kind === 'mlflow' && backend.url) {
      const password = safeUrl(backend.url)?.password
      if (password) addSecret(decodeURIComponent(password))
    }
    if (backend.kind === 'sagemaker' && backend.credentials) {
      addSecret(backend.credentials.secretAccessKey)
      if (backend.credentials.sessionToken) addSecret(backend.credentials.sessionToken)
    }
  }
  if (config.webhooks.secretKey) addSecret(config.webhooks.secretKey)
}

function addSecret(value: string): void {
  // Very short values would redact ordinary words; they are not worth guessing anyway.
  if (value.length >= 4) secrets.add(value)
}

function safeUrl(text: string): URL | null {
  try {
    return new URL(text)
  } catch {
    return null
  }
}

/** The text with every known secret and every credential-shaped substring replaced. */
export function redactSecrets(text: string): string {
  let out = text
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED)
  for (const { pattern, replacement } of CREDENTIAL_SHAPES) out = out.replace(pattern, replacement)
  return out
}
