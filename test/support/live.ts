import { expect } from 'vitest'
import { LiveWatchersDocument } from '../generated/graphql.js'
import type { TestGateway } from './gateway.js'

/**
 * Waits until the gateway holds exactly `count` live watchers on `backend`:
 * the test's subscriptions are in place (and earlier ones gone), so what it
 * logs next is streamed.
 */
export async function waitForWatchers(gw: TestGateway, backend: string, count: number): Promise<void> {
  const current = async () => (await gw.data(LiveWatchersDocument)).backends.find((b) => b.id === backend)?.liveWatchers ?? 0
  for (let i = 0; i < 400 && (await current()) !== count; i++) await new Promise((resolve) => setTimeout(resolve, 25))
  expect(await current()).toBe(count)
}
