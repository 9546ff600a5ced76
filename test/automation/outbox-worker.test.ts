import { afterAll, beforeAll, expect, it } from 'vitest'
import { createNativeBackend } from '../../src/adapters/native/index.js'
import { type NativeBackendConfig, parseConfig } from '../../src/config.js'
import type { Backend } from '../../src/contract/backend.js'
import type { Outbox, OutboxItem } from '../../src/contract/automation-store.js'
import { OutboxWorker } from '../../src/federation/automation/outbox-worker.js'
import { describeEachEngine, nativeBackendConfig } from '../support/engines.js'

/**
 * A worker stopped while its claim is on the way lets the claimed item go:
 * the next gateway works it at once, not after the lease (half a minute),
 * which is what a restart with deliveries pending needs.
 */
describeEachEngine('outbox worker', (engine) => {
  let backend: Backend
  let outbox: Outbox
  beforeAll(async () => {
    backend = await createNativeBackend(parseConfig({ backends: [nativeBackendConfig(engine)] }).backends[0] as NativeBackendConfig)
    outbox = backend.automation!.outbox
  })
  afterAll(() => backend.close())

  it('releases an item it claimed as it stopped, unworked and with no attempt counted', async () => {
    await outbox.enqueue([{ topic: 'webhook', orderingKey: 'hook-release', dedupeKey: null, payload: { n: 1 } }])
    // The real store's claim, held until the worker has been told to stop.
    let stopping: () => void = () => {}
    const stopped = new Promise<void>((resolve) => (stopping = resolve))
    let claimed: OutboxItem | null = null
    const slowClaim: Outbox = Object.assign(Object.create(outbox) as Outbox, {
      claim: async (...args: Parameters<Outbox['claim']>) => {
        claimed = await outbox.claim(...args)
        await stopped
        return claimed
      },
    })
    const worked: string[] = []
    const worker = new OutboxWorker(slowClaim, 'webhook', async (item) => (worked.push(item.id), { kind: 'done', status: 200 }), { leaseMs: 60_000, idleMs: 1_000, concurrency: 1 })
    worker.start()
    await expect.poll(() => claimed).not.toBeNull()
    const closing = worker.close()
    stopping()
    await closing
    expect(worked).toEqual([])
    // Claimable again at once (its 60-second lease let go), attempts untouched.
    const again = await outbox.claim('webhook', 60_000)
    expect(again?.id).toBe(claimed!.id)
    expect(again?.attempts).toBe(0)
    await outbox.complete(again!.id, 200)
  })
})
