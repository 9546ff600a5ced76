import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { HeavyLane } from '../../src/http/heavy-lane.js'
import { runAsHeavyWork, runInRequestScope } from '../../src/request-scope.js'
import { PrioritySemaphore } from '../../src/work-priority.js'

/** Whether a promise has settled, after the microtasks queued so far have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false
  void promise.then(() => (done = true))
  await Promise.resolve()
  await Promise.resolve()
  return done
}

describe('the heavy lane (http/heavy-lane.ts)', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] }))
  afterEach(() => vi.useRealTimers())

  /** Runs one operation of `ms` through the lane, so it learns what a typical heavy operation costs. */
  async function runFor(lane: HeavyLane, ms: number) {
    const release = await lane.enter()
    vi.advanceTimersByTime(ms)
    release?.()
  }

  it('runs heavy operations one at a time, in arrival order', async () => {
    const lane = new HeavyLane(1, 10_000)
    const releaseFirst = await lane.enter()
    const second = lane.enter()
    const third = lane.enter()
    expect(second && third).toBeTruthy()
    expect(await settled(second!)).toBe(false)
    releaseFirst!()
    const releaseSecond = await second!
    expect(await settled(third!)).toBe(false)
    releaseSecond()
    await third
  })

  it('rests after each operation so heavy work has at most its share of the time', async () => {
    const lane = new HeavyLane(0.5, 10_000)
    await runFor(lane, 100)
    // Ran 100 ms at a share of one half: the next waits 100 ms.
    const next = lane.enter()!
    vi.advanceTimersByTime(99)
    expect(await settled(next)).toBe(false)
    vi.advanceTimersByTime(1)
    expect(await settled(next)).toBe(true)
  })

  it('refuses an operation that would wait past the bound, instead of queueing it', async () => {
    const lane = new HeavyLane(1, 250)
    await runFor(lane, 200)
    const release = await lane.enter()
    // One running (typically 200 ms): a newcomer may wait.
    const waiting = lane.enter()
    expect(waiting).not.toBeNull()
    // One running and one waiting: about 400 ms away, past the bound.
    expect(lane.enter()).toBeNull()
    release!()
    ;(await waiting!)()
    // Free and rested again: admitted at once.
    expect(await settled(lane.enter()!)).toBe(true)
  })
})

describe('the database turn (work-priority.ts)', () => {
  const turn = () => new Promise((resolve) => setImmediate(resolve))
  const signal = new AbortController().signal
  const acquire = (slots: PrioritySemaphore, heavy: boolean) => runInRequestScope(signal, 'test-request', () => (heavy ? runAsHeavyWork(() => slots.acquire()) : slots.acquire()))

  it('serves waiting light work before waiting heavy work, each in arrival order', async () => {
    const lock = new PrioritySemaphore(1)
    const order: string[] = []
    // Each waiter holds the lock only to note its turn.
    const take = (name: string, heavy: boolean) =>
      acquire(lock, heavy).then((release) => {
        order.push(name)
        release()
      })
    const releaseHolder = await acquire(lock, false)
    // The heavy ones queue first (heavy work lets the event loop turn before it asks: two turns and they are in the queue).
    const heavy = [take('heavy 1', true), take('heavy 2', true)]
    await turn()
    await turn()
    const waiters = [...heavy, take('light 1', false), take('light 2', false)]
    await turn()
    releaseHolder()
    await Promise.all(waiters)
    expect(order).toEqual(['light 1', 'light 2', 'heavy 1', 'heavy 2'])
  })

  it('lets heavy work hold only its share of the places, keeping the rest for light work', async () => {
    // A pool of two connections, at most one of them heavy work's.
    const slots = new PrioritySemaphore(2, 1)
    const releaseHeavy = await acquire(slots, true)
    const secondHeavy = acquire(slots, true)
    for (let i = 0; i < 4; i++) await turn()
    expect(await settled(secondHeavy)).toBe(false)
    // The free place is light work's, at once.
    const releaseLight = await acquire(slots, false)
    // When the first heavy holder is done, the second gets its place.
    releaseHeavy()
    ;(await secondHeavy)()
    releaseLight()
  })
})
