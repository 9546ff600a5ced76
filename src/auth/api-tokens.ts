import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * API tokens: `mlg_<id>_<secret>`, the id public (it names the token in
 * lists and revocations), the secret 256 random bits stored only as its
 * SHA-256. A fast hash is enough for a secret that long: there is nothing
 * to guess, and checking one costs microseconds, so a token can sign every
 * request.
 */
const PREFIX = 'mlg_'
const SHAPE = /^mlg_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/

export interface MintedToken {
  id: string
  /** The whole token, shown once to its creator. */
  token: string
  secretHash: string
}

export function mintToken(): MintedToken {
  const id = randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').slice(0, 12)
  const secret = randomBytes(32).toString('base64url')
  return { id, token: `${PREFIX}${id}_${secret}`, secretHash: hashSecret(secret) }
}

/** Whether a credential is meant as an mlgate API token (rather than a password or a JWT). */
export function looksLikeToken(credential: string): boolean {
  return credential.startsWith(PREFIX)
}

/** The token's id and secret, or null when it is not shaped as one. */
export function parseToken(token: string): { id: string; secret: string } | null {
  const match = SHAPE.exec(token)
  return match ? { id: match[1], secret: match[2] } : null
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const [given, stored] = [Buffer.from(hashSecret(secret), 'hex'), Buffer.from(storedHash, 'hex')]
  return given.length === stored.length && timingSafeEqual(given, stored)
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}
