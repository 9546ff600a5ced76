import type { Outbox, OutboxItem, OutboxTopic } from '../../contract/automation-store.js'
import { logUnexpected } from '../../log.js'

const MIN_WAIT_MS = 20

/** What working an item came to. */
export type WorkOutcome =
  | { kind: 'done'; status: number | null }
  | { kind: 'retry'; at: Date; status: number | null; error: string }
  | { kind: 'failed'; status: number | null; error: string }

export interface OutboxWorkerOptions {
  /** How long a claimed item is this replica's: longer than any one attempt takes. */
  leaseMs: number
  /**
   * How often an idle worker looks anyway. It is woken when any replica
   * queues an item (the store's notifications) and when a retry it set
   * comes due; this catches what those miss (a replica that died holding a
   * lease, retries another replica set and did not live to make).
   */
  idleMs: number
  /** Items worked at once (each ordering key still one at a time). */
  concurrency: number
}

/**
 * Works one topic of the shared outbox: claims due items (the store's row
 * lock decides which replica gets each), hands them to `work`, records the
 * outcome. One loop claims, up to `concurrency` items are worked at once;
 * an idle worker asks the store nothing until it is woken or a timer it
 * knows of comes due. Failures of the store are logged and waited out;
 * nothing here can end the process.
 */
export class OutboxWorker {
  private closed = false
  private wakeUp: (() => void) | null = null
  private woken = false
  private readonly working = new Set<Promise<void>>()
  /** The earliest retry this replica set, so it looks again then. */
  private nextDue: number | null = null
  private loop: Promise<void> | null = null

  constructor(
    private readonly outbox: Outbox,
    private readonly topic: OutboxTopic,
    private readonly work: (item: OutboxItem) => Promise<WorkOutcome>,
    private readonly options: OutboxWorkerOptions,
  ) {}

  start(): void {
    this.loop ??= this.claimLoop()
  }

  /** Something may be due: look now. */
  wake(): void {
    this.woken = true
    this.wakeUp?.()
  }

  async close(): Promise<void> {
    this.closed = true
    this.wake()
    await this.loop
    await Promise.all([...this.working])
  }

  private async claimLoop(): Promise<void> {
    while (!this.closed) {
      this.woken = false
      let item: OutboxItem | null = null
      try {
        item = await this.outbox.claim(this.topic, this.options.leaseMs)
      } catch (error) {
        logUnexpected(`claiming from the ${this.topic} outbox failed`, error)
      }
      if (item && this.closed) {
        // Claimed as the worker stopped: let it go now, or it would wait out its lease (half a minute) after a restart.
        await this.outbox.release(item.id).catch((error: unknown) => logUnexpected(`releasing a ${this.topic} item failed`, error))
        break
      }
      if (item) {
        // Done, it may have freed the next item of its ordering key: look again.
        const working: Promise<void> = this.workOn(item).finally(() => {
          this.working.delete(working)
          this.wake()
        })
        this.working.add(working)
        // Another may be due now: claim again, once a place is free.
        if (this.working.size >= this.options.concurrency) await Promise.race([...this.working])
        continue
      }
      if (!this.woken) await this.sleep()
    }
  }

  private async workOn(item: OutboxItem): Promise<void> {
    let outcome: WorkOutcome
    try {
      outcome = await this.work(item)
    } catch (error) {
      logUnexpected(`a ${this.topic} item failed unexpectedly`, error)
      outcome = { kind: 'retry', at: new Date(Date.now() + this.options.leaseMs), status: null, error: 'failed unexpectedly (see the gateway log)' }
    }
    try {
      if (outcome.kind === 'done') await this.outbox.complete(item.id, outcome.status)
      else if (outcome.kind === 'retry') {
        await this.outbox.retryAt(item.id, outcome.at, outcome)
        this.nextDue = Math.min(this.nextDue ?? Number.POSITIVE_INFINITY, outcome.at.getTime())
      } else await this.outbox.fail(item.id, outcome)
    } catch (error) {
      // The item stays leased, and is worked again when the lease ends.
      logUnexpected(`recording a ${this.topic} item's outcome failed`, error)
    }
  }

  /** Until woken, the next item is due (as the store says, or a retry this replica set), or idleMs. */
  private async sleep(): Promise<void> {
    if (this.closed) return
    try {
      const due = await this.outbox.nextDue(this.topic)
      if (due !== null) this.nextDue = Math.min(this.nextDue ?? Number.POSITIVE_INFINITY, due.getTime())
    } catch (error) {
      logUnexpected(`reading when the ${this.topic} outbox is next due failed`, error)
    }
    if (this.woken || this.closed) return
    // Never sooner than MIN_WAIT_MS: an item due now that the claim missed (a race with another replica) is not worth a spin.
    const wait = Math.min(this.options.idleMs, this.nextDue === null ? Number.POSITIVE_INFINITY : Math.max(MIN_WAIT_MS, this.nextDue - Date.now()))
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.wakeUp = null
        resolve()
      }
      const timer = setTimeout(done, wait)
      this.wakeUp = done
    })
    if (this.nextDue !== null && Date.now() >= this.nextDue) this.nextDue = null
  }
}

/** Exponential backoff with jitter after `attempts` failures, never sooner than the receiver's Retry-After. */
export function nextAttemptAt(attempts: number, options: { initialBackoffMs: number; maxBackoffMs: number }, notBefore: Date | null, now = Date.now()): Date {
  const exponential = Math.min(options.initialBackoffMs * 2 ** Math.min(attempts, 30), options.maxBackoffMs)
  const jittered = exponential * (0.8 + Math.random() * 0.4)
  return new Date(Math.max(now + jittered, notBefore?.getTime() ?? 0))
}
