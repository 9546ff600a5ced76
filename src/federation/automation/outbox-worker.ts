import type { Outbox, OutboxItem, OutboxTopic } from '../../contract/automation-store.js'
import { logUnexpected } from '../../log.js'

/** What working an item came to. */
export type WorkOutcome =
  | { kind: 'done'; status: number | null }
  | { kind: 'retry'; at: Date; status: number | null; error: string }
  | { kind: 'failed'; status: number | null; error: string }

export interface OutboxWorkerOptions {
  /** How long a claimed item is this replica's: longer than any one attempt takes. */
  leaseMs: number
  /** How often an idle worker looks for due items (it is also woken when this replica queues one). */
  idleMs: number
  /** Items worked at once (each ordering key still one at a time). */
  concurrency: number
}

/**
 * Works one topic of the shared outbox: claims due items (the store's row
 * lock decides which replica gets each), hands them to `work`, records the
 * outcome. Failures of the store itself are logged and waited out; nothing
 * here can end the process.
 */
export class OutboxWorker {
  private closed = false
  private readonly idleLoops = new Set<() => void>()
  private readonly loops: Promise<void>[] = []

  constructor(
    private readonly outbox: Outbox,
    private readonly topic: OutboxTopic,
    private readonly work: (item: OutboxItem) => Promise<WorkOutcome>,
    private readonly options: OutboxWorkerOptions,
  ) {}

  start(): void {
    for (let i = 0; i < this.options.concurrency; i++) this.loops.push(this.loop())
  }

  /** Something was queued: look now rather than at the next idle tick. */
  wake(): void {
    for (const wakeUp of [...this.idleLoops]) wakeUp()
  }

  async close(): Promise<void> {
    this.closed = true
    this.wake()
    await Promise.all(this.loops)
  }

  private async loop(): Promise<void> {
    while (!this.closed) {
      let worked = false
      try {
        worked = await this.workOne()
      } catch (error) {
        logUnexpected(`working the ${this.topic} outbox failed`, error)
      }
      if (!worked && !this.closed) await this.idle()
    }
  }

  private async workOne(): Promise<boolean> {
    const item = await this.outbox.claim(this.topic, this.options.leaseMs)
    if (!item) return false
    let outcome: WorkOutcome
    try {
      outcome = await this.work(item)
    } catch (error) {
      logUnexpected(`a ${this.topic} item failed unexpectedly`, error)
      outcome = { kind: 'retry', at: new Date(Date.now() + this.options.leaseMs), status: null, error: 'failed unexpectedly (see the gateway log)' }
    }
    if (outcome.kind === 'done') await this.outbox.complete(item.id, outcome.status)
    else if (outcome.kind === 'retry') await this.outbox.retryAt(item.id, outcome.at, outcome)
    else await this.outbox.fail(item.id, outcome)
    return true
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const wakeUp = () => {
        clearTimeout(timer)
        this.idleLoops.delete(wakeUp)
        resolve()
      }
      const timer = setTimeout(wakeUp, this.options.idleMs)
      this.idleLoops.add(wakeUp)
    })
  }
}

/** Exponential backoff with jitter after `attempts` failures, never sooner than the receiver's Retry-After. */
export function nextAttemptAt(attempts: number, options: { initialBackoffMs: number; maxBackoffMs: number }, notBefore: Date | null, now = Date.now()): Date {
  const exponential = Math.min(options.initialBackoffMs * 2 ** Math.min(attempts, 30), options.maxBackoffMs)
  const jittered = exponential * (0.8 + Math.random() * 0.4)
  return new Date(Math.max(now + jittered, notBefore?.getTime() ?? 0))
}
