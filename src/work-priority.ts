import { currentWorkIsHeavy } from './request-scope.js'

/**
 * Light work goes first at the database. Operations share the event loop
 * and the database by turns; a light operation (a dashboard's query) issues
 * a few statements one after another, and between two of them a heavy
 * operation's statement would start and make it wait its whole length, once
 * per statement. So while any light operation is in flight, a heavy
 * operation's next statement waits (at most `HEAVY_WAIT_MS` each time, so
 * that a stream of light work cannot starve heavy work), and a queue of
 * statements serves light ones first (`PrioritySemaphore`).
 *
 * The GraphQL layer says which work is light (lightWorkStarted) and which
 * heavy (request-scope's runAsHeavyWork); the native store takes its turns
 * from a PrioritySemaphore (PGlite's one session, the PostgreSQL pool). Work outside any request (pollers,
 * start-up) and the MLflow API's calls are neither, and never wait.
 */
const HEAVY_WAIT_MS = 100

let lightInFlight = 0
let idleWaiters: (() => void)[] = []

/** Marks one light operation in flight; call the returned function when it ends (once). */
export function lightWorkStarted(): () => void {
  lightInFlight += 1
  let ended = false
  return () => {
    if (ended) return
    ended = true
    lightInFlight -= 1
    if (lightInFlight === 0) {
      const waiters = idleWaiters
      idleWaiters = []
      for (const wake of waiters) wake()
    }
  }
}

/**
 * For heavy work: first lets the event loop read what has arrived (a
 * statement on PGlite runs synchronously, so heavy work's statements would
 * otherwise follow one another without a single look at the sockets, and a
 * light request would not even be read before the last of them), then waits
 * until no light work is in flight, or HEAVY_WAIT_MS. Light work returns at once.
 */
async function yieldToLightWork(): Promise<void> {
  if (!currentWorkIsHeavy()) return
  await new Promise((resolve) => setImmediate(resolve))
  if (lightInFlight === 0) return
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, HEAVY_WAIT_MS)
    function done() {
      clearTimeout(timer)
      idleWaiters = idleWaiters.filter((waiter) => waiter !== done)
      resolve()
    }
    idleWaiters.push(done)
  })
}

/**
 * Up to `capacity` holders at a time (of which at most `heavyCapacity` heavy
 * work), and among those waiting, everything that is not heavy work before
 * heavy work (each kind in arrival order). Heavy work gets a place only from
 * a fresh turn of the event loop (setImmediate), one a turn: heavy work that
 * asked at once (an alias bomb's thirty small lists) would otherwise run
 * back to back in one turn, which on PGlite held the process for 120 ms
 * without a look at the sockets or timers. On a PostgreSQL pool, the heavy
 * cap keeps connections free for light work: in the pool's own first-come
 * queue a dashboard's statement waited behind thirty of an alias bomb's.
 */
/** A connection pool's (or lock's) occupancy: what /metrics reports per native backend. */
export interface ConnectionStats {
  inUse: number
  waiting: number
}

export class PrioritySemaphore {
  private inUse = 0
  private heavyInUse = 0
  private dispatching = false
  private readonly light: (() => void)[] = []
  private readonly heavy: (() => void)[] = []

  constructor(
    private readonly capacity: number,
    private readonly heavyCapacity = capacity,
  ) {}

  /** Places held now, and callers waiting for one (for /metrics). */
  stats(): ConnectionStats {
    return { inUse: this.inUse, waiting: this.light.length + this.heavy.length }
  }

  /** Waits for a place; resolves with its release (which frees it once, however often called). */
  async acquire(): Promise<() => void> {
    const heavy = currentWorkIsHeavy()
    if (heavy) {
      await yieldToLightWork()
      await new Promise<void>((resolve) => {
        this.heavy.push(resolve)
        this.dispatchHeavy()
      })
    } else if (this.inUse >= this.capacity) await new Promise<void>((resolve) => this.light.push(resolve))
    else this.inUse += 1
    let released = false
    return () => {
      if (released) return
      released = true
      if (heavy) this.heavyInUse -= 1
      this.passOn()
    }
  }

  /** Hands a freed place straight to waiting light work (no one can slip in between), or to heavy work's next turn. */
  private passOn(): void {
    const light = this.light.shift()
    if (light) return light()
    this.inUse -= 1
    this.dispatchHeavy()
  }

  /** On the event loop's next turn, gives a free place to the next waiter, light first. */
  private dispatchHeavy(): void {
    if (this.dispatching || this.heavy.length === 0) return
    this.dispatching = true
    setImmediate(() => {
      this.dispatching = false
      if (this.inUse >= this.capacity) return
      const light = this.light.shift()
      if (light) {
        this.inUse += 1
        light()
      } else if (this.heavyInUse < this.heavyCapacity) {
        this.inUse += 1
        this.heavyInUse += 1
        this.heavy.shift()?.()
      } else return // at the heavy cap: a heavy holder's release dispatches again
      // More may fit (a pool): offer the next place on the next turn.
      this.dispatchHeavy()
    })
  }
}
