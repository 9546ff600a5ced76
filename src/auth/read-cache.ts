import { LRUCache } from 'lru-cache'
import type { Identity } from './identity.js'

/**
 * Records a replica read for recent requests, reused for auth.identityCacheMs
 * (0: read every time). A missing record is remembered too (boxed: the
 * cache holds no nulls). Changes made through this replica drop what they touch.
 */
export class ReadCache<T> {
  private readonly cache: LRUCache<string, { value: T }> | null

  constructor(ttlMs: number) {
    this.cache = ttlMs > 0 ? new LRUCache({ max: 10_000, ttl: ttlMs }) : null
  }

  async read(key: string, load: () => Promise<T>): Promise<T> {
    const cached = this.cache?.get(key)
    if (cached) return cached.value
    const value = await load()
    this.cache?.set(key, { value })
    return value
  }

  delete(key: string): void {
    this.cache?.delete(key)
  }

  clear(): void {
    this.cache?.clear()
  }
}

/** What an identity's permissions and limits depend on: the user and the provider's roles. */
export const identityKey = (identity: Identity): string => `${identity.username}\u0000${identity.roles.join('\u0000')}`
