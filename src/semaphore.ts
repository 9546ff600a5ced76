/** Bounds how many calls to one backend are in flight; the rest wait their turn in order. */
export class Semaphore {
  private active = 0
  private readonly waiting: (() => void)[] = []

  constructor(private readonly limit: number) {}

  /** How many calls wait for a place. */
  get queued(): number {
    return this.waiting.length
  }

  async run<T>(operation: () => Promise<T>): Promise<T> {
    await this.acquire()
    try {
      return await operation()
    } finally {
      this.release()
    }
  }

  /** Waits for a place; resolves with its release (which frees it once, however often called). */
  async hold(): Promise<() => void> {
    await this.acquire()
    let held = true
    return () => {
      if (!held) return
      held = false
      this.release()
    }
  }

  private async acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active += 1
      return
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve))
  }

  private release(): void {
    const next = this.waiting.shift()
    if (next) next()
    else this.active -= 1
  }
}
