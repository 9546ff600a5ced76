/** A record's address: which backend, and that backend's own id. */
export interface RecordKey {
  backendId: string
  nativeId: string
}

export const recordCacheKey = (key: RecordKey) => `${key.backendId}\u0000${key.nativeId}`

/** Items grouped by a key, groups in order of first appearance. */
export function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const key = keyOf(item)
    const group = groups.get(key)
    if (group) group.push(item)
    else groups.set(key, [item])
  }
  return groups
}

/** Native ids per backend: how a batch of keys is split into one call per backend. */
export function nativeIdsByBackend(keys: readonly RecordKey[]): Map<string, string[]> {
  return new Map([...groupBy(keys, (key) => key.backendId)].map(([backendId, ofBackend]) => [backendId, ofBackend.map((key) => key.nativeId)]))
}
