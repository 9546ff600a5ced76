import { print } from 'graphql'
import { createClient as createSseClient } from 'graphql-sse'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { CreateExperimentDocument, CreateRunDocument, DeleteRunDocument, RunUpdatesDocument, UpdateRunDocument } from '../generated/graphql.js'
import { describeEachEngine, describeMlflow } from '../support/engines.js'
import { type TestGateway, startNativeGateway, startTestGateway } from '../support/gateway.js'
import { startHttpProxy } from '../support/http-proxy.js'
import { waitForWatchers } from '../support/live.js'
import { collectSubscription } from '../support/subscription.js'
import { mlflowApi } from '../support/mlflow-api.js'

interface RunEvent {
  kind: string
  run: { id: string; name: string; status: string; lifecycleStage: string } | null
}

const collect = (iterator: AsyncIterableIterator<{ data?: unknown; errors?: unknown }>) => collectSubscription<RunEvent>(iterator, 'runUpdates')
const atLeast = (count: number) => (events: RunEvent[]) => events.length >= count

describeEachEngine('runUpdates on the native store', (engine) => {
  let gw: TestGateway
  let url: string
  beforeAll(async () => {
    gw = await startNativeGateway(engine)
    url = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}/graphql`
  })
  afterAll(() => gw.close())

  it('streams created, updated, finished and deleted runs of one experiment only', async () => {
    const experimentId = (await gw.data(CreateExperimentDocument, { input: { name: 'watched' } })).createExperiment.id
    const otherId = (await gw.data(CreateExperimentDocument, { input: { name: 'unwatched' } })).createExperiment.id
    const client = createSseClient({ url, retryAttempts: 0 })
    const sub = collect(client.iterate({ query: print(RunUpdatesDocument), variables: { experimentId } }))
    await waitForWatchers(gw, 'local', 1)
    const run = (await gw.data(CreateRunDocument, { input: { experimentId, name: 'first' } })).createRun
    await gw.data(CreateRunDocument, { input: { experimentId: otherId, name: 'elsewhere' } })
    await gw.data(UpdateRunDocument, { input: { id: run.id, name: 'renamed' } })
    await gw.data(UpdateRunDocument, { input: { id: run.id, status: 'FINISHED' } })
    await gw.data(DeleteRunDocument, { id: run.id })
    await sub.until(atLeast(4))
    await sub.stop()
    expect(sub.events.map((event) => [event.kind, event.run?.id])).toEqual([
      ['CREATED', run.id],
      ['UPDATED', run.id],
      ['FINISHED', run.id],
      ['DELETED', run.id],
    ])
    // Each event reads the run fresh, as it is when the event is resolved.
    expect(sub.events[3].run?.lifecycleStage).toBe('DELETED')
    expect(sub.events[3].run?.status).toBe('FINISHED')
    client.dispose()
  })
})

describeMlflow('runUpdates on an MLflow server (polled)', (mlflowUrl) => {
  it('reports a run created and finished through MLflow itself', async () => {
    const api = mlflowApi(mlflowUrl)
    const proxy = await startHttpProxy(mlflowUrl)
    const gw = await startTestGateway({ backends: [{ id: 'lab', kind: 'mlflow', url: proxy.url, poll: { intervalMs: 200 } }] })
    const client = createSseClient({ url: `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}/graphql`, retryAttempts: 0 })
    try {
      const experimentId = await api.createExperiment(`run-events-${Date.now()}`)
      const sub = collect(client.iterate({ query: print(RunUpdatesDocument), variables: { experimentId: `Experiment:lab:${experimentId}` } }))
      // The poller's first search is its baseline; once a second one is asked for, the first has been answered.
      const searches = () => proxy.requests.filter((request) => request === 'POST /api/2.0/mlflow/runs/search').length
      for (let i = 0; i < 400 && searches() < 2; i++) await new Promise((resolve) => setTimeout(resolve, 25))
      const runId = await api.createRun(experimentId, { name: 'from-mlflow' })
      await sub.until(atLeast(1))
      await api.post('runs/update', { run_id: runId, status: 'FINISHED' })
      await sub.until(atLeast(2))
      await sub.stop()
      expect(sub.events.map((event) => [event.kind, event.run?.id, event.run?.status])).toEqual([
        ['CREATED', `Run:lab:${runId}`, expect.any(String)],
        ['FINISHED', `Run:lab:${runId}`, 'FINISHED'],
      ])
    } finally {
      client.dispose()
      await gw.close()
      await proxy.close()
    }
  })
})
