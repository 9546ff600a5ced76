import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { GatewayError } from '../errors.js'
import { Semaphore } from '../semaphore.js'

/** Password checks that may wait for a place before more are refused (RATE_LIMITED). */
const MAX_QUEUED = 32

/**
 * Passwords are stored as scrypt hashes (memory-hard: N = 2^cost, r = 8,
 * p = 1, as OWASP recommends at cost 17), encoded
 * `scrypt$<cost>$<r>$<p>$<salt>$<hash>` (base64) so the parameters can be
 * raised later without invalidating what is stored.
 *
 * Hashing one costs 2^cost × 1 KiB of memory and ~0.1-0.3 s of CPU, so at
 * most two run at once, and a password that checked out is remembered for
 * `rememberMs` (by a keyed digest, never the password itself) together with
 * the stored hash it matched: the next request with the same credentials
 * costs a lookup, and a changed password invalidates it at once.
 */
export class PasswordHasher {
  private readonly running = new Semaphore(2)
  private readonly verified = new Map<string, { storedHash: string; until: number }>()
  /** Checks in flight, by credentials and the hash they are checked against. */
  private readonly checking = new Map<string, Promise<boolean>>()
  /** Per process: a remembered digest means nothing outside it. */
  private readonly pepper = randomBytes(32)

  constructor(private readonly options: { cost: number; rememberMs: number }) {}

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16)
    const hash = await this.derive(password, salt, this.options.cost, 8, 1)
    return ['scrypt', this.options.cost, 8, 1, salt.toString('base64'), hash.toString('base64')].join('$')
  }

  /**
   * Whether `password` is the one `storedHash` was made from. A remembered
   * match lasts while it keeps being used (each use extends it), and only
   * for the hash it matched; concurrent checks of the same credentials share
   * one hashing (four training jobs starting at once cost one, not four).
   */
  async verify(username: string, password: string, storedHash: string): Promise<boolean> {
    const remembered = this.digest(username, password)
    const seen = this.verified.get(remembered)
    const now = Date.now()
    if (seen && seen.storedHash === storedHash && seen.until > now) {
      seen.until = now + this.options.rememberMs
      return true
    }
    const key = `${remembered}\u0000${storedHash}`
    const running = this.checking.get(key)
    if (running) return running
    const check = this.check(remembered, password, storedHash).finally(() => this.checking.delete(key))
    this.checking.set(key, check)
    return check
  }

  private async check(remembered: string, password: string, storedHash: string): Promise<boolean> {
    const [scheme, cost, r, p, salt, expected] = storedHash.split('$')
    if (scheme !== 'scrypt' || !salt || !expected) return false
    const expectedBytes = Buffer.from(expected, 'base64')
    const derived = await this.derive(password, Buffer.from(salt, 'base64'), Number(cost), Number(r), Number(p), expectedBytes.length)
    const matches = derived.length === expectedBytes.length && timingSafeEqual(derived, expectedBytes)
    if (matches) {
      this.forgetExpired()
      this.verified.set(remembered, { storedHash, until: Date.now() + this.options.rememberMs })
    }
    return matches
  }

  private derive(password: string, salt: Buffer, cost: number, r: number, p: number, length = 32): Promise<Buffer> {
    // Guessing passwords must not queue every other sign-in behind it without end.
    if (this.running.queued >= MAX_QUEUED) return Promise.reject(new GatewayError('RATE_LIMITED', 'too many sign-ins are being checked at once; retry in 1 s', { retryAfterSeconds: 1 }))
    const N = 2 ** cost
    return this.running.run(
      () =>
        new Promise<Buffer>((resolve, reject) =>
          // maxmem: scrypt needs 128 × N × r bytes; Node's default (32 MiB) is below cost 17's.
          scrypt(password.normalize('NFKC'), salt, length, { N, r, p, maxmem: 256 * N * r }, (error, key) => (error ? reject(error) : resolve(key))),
        ),
    )
  }

  private digest(username: string, password: string): string {
    return createHash('sha256').update(this.pepper).update(username).update('\u0000').update(password).digest('base64')
  }

  private forgetExpired(): void {
    if (this.verified.size < 10_000) return
    const now = Date.now()
    for (const [key, entry] of this.verified) if (entry.until <= now) this.verified.delete(key)
    // Still full of live entries: start over rather than grow without bound.
    if (this.verified.size >= 10_000) this.verified.clear()
  }
}
