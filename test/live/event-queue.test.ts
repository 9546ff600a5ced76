import { describe, expect, it } from 'vitest'
import { EventQueue } from '../../src/federation/live/event-queue.js'

/** A slow subscriber's queue stays bounded and says what it dropped. */
describe('subscriber queue', () => {
  it('coalesces events per key once full, counting the dropped points, and keeps every key moving', async () => {
    const queue = new EventQueue<string>(3)
    queue.push({ key: 'loss', value: 'l1', pointCount: 10 })
    queue.push({ key: 'acc', value: 'a1', pointCount: 5 })
    queue.push({ key: 'loss', value: 'l2', pointCount: 10 })
    // Full: a new loss event replaces the newest queued loss event, counting what it drops.
    queue.push({ key: 'loss', value: 'l3', pointCount: 10 })
    queue.push({ key: 'loss', value: 'l4', pointCount: 10 })
    // A key with nothing queued still gets in.
    queue.push({ key: 'f1', value: 'f', pointCount: 1 })
    expect(queue.size).toBe(4)
    queue.end()
    const received: [string, number][] = []
    for await (const item of queue) received.push([item.value, item.droppedPoints])
    expect(received).toEqual([
      ['l1', 0],
      ['a1', 0],
      ['l4', 20],
      ['f', 0],
    ])
  })

  it('hands events to a waiting reader as they come, and ends on end()', async () => {
    const queue = new EventQueue<number>(10)
    const received: number[] = []
    const reading = (async () => {
      for await (const item of queue) received.push(item.value)
    })()
    queue.push({ key: 'k', value: 1, pointCount: 1 })
    await new Promise((resolve) => setTimeout(resolve, 10))
    queue.push({ key: 'k', value: 2, pointCount: 1 })
    queue.end()
    await reading
    expect(received).toEqual([1, 2])
  })
})
