import { expect } from 'vitest'

/**
 * A subscription through a real client (graphql-sse or graphql-ws),
 * collecting the events of one root field until told to stop.
 */
export function collectSubscription<T>(iterator: AsyncIterableIterator<{ data?: unknown; errors?: unknown }>, field: string) {
  const events: T[] = []
  let ended = false
  const done = (async () => {
    for await (const result of iterator) {
      if (result.errors) throw new Error(JSON.stringify(result.errors))
      events.push((result.data as Record<string, T>)[field])
    }
    ended = true
  })()
  return {
    events,
    ended: () => ended,
    done,
    /** Waits (up to 10 s) until the events collected so far satisfy `predicate`. */
    async until(predicate: (events: T[]) => boolean) {
      for (let i = 0; i < 400 && !predicate(events); i++) await new Promise((resolve) => setTimeout(resolve, 25))
      expect(predicate(events)).toBe(true)
    },
    stop: async () => {
      await iterator.return?.()
      await done.catch(() => {})
    },
  }
}
