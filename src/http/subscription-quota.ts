import { GatewayError } from '../errors.js'

/**
 * How many live subscriptions one client address holds, over SSE and
 * graphql-ws together. Each distinct subscription costs the gateway work on
 * every event (it executes its selection per event), so one client opening
 * hundreds slowed logging for everyone 30-fold; past
 * limits.subscriptionsPerClient a new one is refused with RATE_LIMITED.
 */
export class SubscriptionQuota {
  private readonly held = new Map<string, number>()

  constructor(private readonly perClient: number) {}

  /** Takes a slot for `client`, or refuses; returns the release (idempotent). */
  acquire(client: string): () => void {
    const count = this.held.get(client) ?? 0
    if (count >= this.perClient) {
      throw new GatewayError('RATE_LIMITED', `this client already holds ${count} subscriptions; the limit is ${this.perClient} (limits.subscriptionsPerClient)`, {
        retryAfterSeconds: 5,
      })
    }
    this.held.set(client, count + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      const left = (this.held.get(client) ?? 1) - 1
      if (left <= 0) this.held.delete(client)
      else this.held.set(client, left)
    }
  }
}
