/**
 * A subscriber's bounded queue. A slow subscriber must never slow logging or
 * other subscribers, so pushes never wait: past `capacity` queued events, a
 * new event for a key that already has one queued replaces the newest of
 * them, and the replacement counts the points it dropped (a chart then knows to refetch
 * that range). Events for a key with nothing queued always get in, so every
 * key keeps moving.
 */
export interface QueuedUpdate<T> {
  /** Events with the same key coalesce. */
  key: string
  value: T
  droppedPoints: number
  pointCount: number
}

export class EventQueue<T> implements AsyncIterable<QueuedUpdate<T>> {
  private readonly items: QueuedUpdate<T>[] = []
  private waiter: (() => void) | null = null
  private ended = false

  constructor(private readonly capacity: number) {}

  push(update: { key: string; value: T; pointCount: number }): void {
    if (this.ended) return
    if (this.items.length >= this.capacity) {
      const index = this.items.findLastIndex((item) => item.key === update.key)
      if (index >= 0) {
        const replaced = this.items[index]
        this.items.splice(index, 1)
        this.items.push({ ...update, droppedPoints: replaced.droppedPoints + replaced.pointCount })
        return
      }
    }
    this.items.push({ ...update, droppedPoints: 0 })
    this.wake()
  }

  end(): void {
    this.ended = true
    this.wake()
  }

  get size(): number {
    return this.items.length
  }

  async *[Symbol.asyncIterator](): AsyncIterator<QueuedUpdate<T>> {
    for (;;) {
      const next = this.items.shift()
      if (next) {
        yield next
        continue
      }
      if (this.ended) return
      await new Promise<void>((resolve) => (this.waiter = resolve))
    }
  }

  private wake(): void {
    const waiter = this.waiter
    this.waiter = null
    waiter?.()
  }
}
