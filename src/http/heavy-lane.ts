/**
 * Where heavy GraphQL operations run: one at a time, for at most `share` of
 * the time, and only those that can expect their turn within `maxWaitMs`.
 *
 * One at a time bounds how much a light request shares the gateway with;
 * the share bounds how often: after an operation that ran t, the lane rests
 * t × (1 / share − 1) before the next starts, so however many clients send
 * heavy work, the rest of the time is everyone else's. The wait bound turns
 * overload into a prompt refusal (RATE_LIMITED, retry in a second) instead
 * of a queue whose wait grows with the number of clients, while a burst of
 * short heavy operations from one dashboard still queues and runs.
 */
export class HeavyLane {
  private busy = false
  private startedAt = 0
  /** When the lane may start its next operation (its rest after the last one), in performance.now() time. */
  private openAt = 0
  /** Recent operations' running time (an exponentially weighted mean), to estimate a newcomer's wait. */
  private typicalMs = 0
  private timer: NodeJS.Timeout | undefined
  private readonly waiting: ((release: () => void) => void)[] = []

  constructor(
    private readonly share: number,
    private readonly maxWaitMs: number,
  ) {}

  /** A turn in the lane (resolving with its release), or null when the wait would be too long: refuse the operation. */
  enter(): Promise<() => void> | null {
    const now = performance.now()
    if (!this.busy && this.waiting.length === 0 && now >= this.openAt) return Promise.resolve(this.start())
    if (this.expectedWaitMs(now) > this.maxWaitMs) return null
    const turn = new Promise<() => void>((resolve) => this.waiting.push(resolve))
    this.wake()
    return turn
  }

  /** What the running operation has left, the rests, and the queued operations' turns, at their typical length. */
  private expectedWaitMs(now: number): number {
    const rest = (ms: number) => ms * (1 / this.share - 1)
    const current = this.busy ? Math.max(0, this.typicalMs - (now - this.startedAt)) + rest(this.typicalMs) : Math.max(0, this.openAt - now)
    return current + this.waiting.length * (this.typicalMs + rest(this.typicalMs))
  }

  private start(): () => void {
    this.busy = true
    this.startedAt = performance.now()
    let released = false
    return () => {
      if (released) return
      released = true
      const now = performance.now()
      const ran = now - this.startedAt
      this.busy = false
      this.typicalMs = this.typicalMs === 0 ? ran : 0.8 * this.typicalMs + 0.2 * ran
      this.openAt = now + ran * (1 / this.share - 1)
      this.wake()
    }
  }

  /** Starts the next waiting operation once the lane is free and rested. */
  private wake(): void {
    if (this.busy || this.timer || this.waiting.length === 0) return
    const rest = this.openAt - performance.now()
    if (rest > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined
        this.wake()
      }, rest)
      return
    }
    this.waiting.shift()?.(this.start())
  }
}
