import { print } from 'graphql'
import { createClient as createSseClient } from 'graphql-sse'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import { CreateExperimentDocument, CreateRunDocument, LogMetricsDocument, MetricUpdatesDocument } from '../generated/graphql.js'
import { describePostgres, nativeBackendConfig } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'
import { waitForWatchers } from '../support/live.js'
import { type PgQueryCounter, startPgQueryCounter } from '../support/pg-query-counter.js'
import { collectSubscription } from '../support/subscription.js'

interface Update {
  key: string
  cursor: string
  run: { id: string; status: string } | null
  points: { step: number }[]
}

const SUBSCRIBERS = 40

/**
 * Many dashboards on one run: an event is executed once for every
 * subscriber with the same operation and variables, so the run each event
 * resolves is read once, not once per subscriber (counted at PostgreSQL).
 */
describePostgres('subscription events shared by identical subscribers', () => {
  let gw: TestGateway
  let counter: PgQueryCounter
  let url: string
  beforeAll(async () => {
    const server = new URL(inject('postgresUrl')!)
    counter = await startPgQueryCounter(server.hostname, Number(server.port))
    const native = nativeBackendConfig('postgres')
    const counted = new URL(native.database!)
    counted.port = String(counter.port)
    gw = await startTestGateway({ backends: [{ ...native, database: counted.toString() }] })
    url = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}/graphql`
  })
  afterAll(async () => {
    await gw?.close()
    await counter?.close()
  })

  it('executes each event once for identical subscriptions, and apart for different ones', async () => {
    const experiment = (await gw.data(CreateExperimentDocument, { input: { name: 'shared-events' } })).createExperiment
    const run = (await gw.data(CreateRunDocument, { input: { experimentId: experiment.id } })).createRun
    const client = createSseClient({ url, retryAttempts: 0 })
    const query = print(MetricUpdatesDocument)
    const same = Array.from({ length: SUBSCRIBERS }, () =>
      collectSubscription<Update>(client.iterate({ query, variables: { runIds: [run.id] } }), 'metricUpdates'),
    )
    const filtered = collectSubscription<Update>(client.iterate({ query, variables: { runIds: [run.id], keys: ['acc'] } }), 'metricUpdates')
    await waitForWatchers(gw, 'local', SUBSCRIBERS + 1)

    await gw.data(LogMetricsDocument, { runId: run.id, metrics: [{ key: 'loss', value: 0.5, step: 1 }, { key: 'acc', value: 0.9, step: 1 }] })
    for (const sub of same) await sub.until((events) => events.length === 2)
    await filtered.until((events) => events.length === 1)
    const before = counter.queries
    await gw.data(LogMetricsDocument, { runId: run.id, metrics: [{ key: 'loss', value: 0.4, step: 2 }] })
    for (const sub of same) await sub.until((events) => events.length === 3)
    const queries = counter.queries - before

    // Every identical subscriber got the same events, each with the run read fresh.
    for (const sub of same) expect(sub.events).toEqual(same[0].events)
    expect(same[0].events.map((event) => `${event.key}@${event.points[0].step}`).sort()).toEqual(['acc@1', 'loss@1', 'loss@2'])
    expect(same[0].events.every((event) => event.run?.id === run.id)).toBe(true)
    expect(filtered.events.map((event) => event.key)).toEqual(['acc'])
    // The write (one statement), reading the commit's rows (one), reloading the mutation's run (one), and the event's run (one) — not one per subscriber.
    expect(queries).toBeLessThan(10)

    for (const sub of [...same, filtered]) await sub.stop()
    client.dispose()
  })
})
