/** How many answers a remote backend's read cache keeps at most. */
const CACHE_ENTRIES = 1000

/**
 * The optional cross-request cache for a remote backend's reads
 * (`cacheTtlMs`): an answer, or a request in flight, is reused until it
 * expires; failures are not kept; any write through mlgate empties it.
 * A TTL of 0 turns it off.
 */
export class ReadCache {
  private readonly entries = new Map<string, { expires: number; value: Promise<unknown> }>()

  constructor(private readonly ttlMs: number) {}

  /** `keyOf` names the read; it is only built when the cache is on. */
  read<T>(keyOf: () => string, load: () => Promise<T>): Promise<T> {
    if (this.ttlMs <= 0) return load()
    const key = keyOf()
    const now = Date.now()
    const hit = this.entries.get(key)
    if (hit && hit.expires > now) return hit.value as Promise<T>
    const value = load()
    this.entries.set(key, { expires: now + this.ttlMs, value })
    value.catch(() => this.entries.delete(key))
    if (this.entries.size > CACHE_ENTRIES) this.entries.delete(this.entries.keys().next().value as string)
    return value
  }

  /** A write happened: what was cached may be stale. */
  clear(): void {
    this.entries.clear()
  }
}
