import { print } from 'graphql'
import { createClient as createSseClient } from 'graphql-sse'
import { createClient as createWsClient } from 'graphql-ws'
import WebSocket from 'ws'
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  CreateModelVersionDocument,
  CreateRegisteredModelDocument,
  ModelVersionEventsDocument,
  SetModelAliasDocument,
  SetModelVersionApprovalDocument,
  TransitionModelVersionDocument,
} from '../generated/graphql.js'
import { describeEachEngine, describeMlflow, describeMoto } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'
import { type HttpProxy, startHttpProxy } from '../support/http-proxy.js'
import { waitForWatchers } from '../support/live.js'
import { mlflowApi } from '../support/mlflow-api.js'
import { sagemakerApi, sagemakerBackendConfig } from '../support/sagemaker-api.js'
import { collectSubscription } from '../support/subscription.js'
import { nativeBackendConfig } from '../support/engines.js'

interface VersionEvent {
  kind: string
  version: { id: string; version: string; stage: string | null; approvalStatus: string | null; aliases: string[]; backend: { id: string } } | null
}

const INTERVAL_MS = 200

const collect = (iterator: AsyncIterableIterator<{ data?: unknown; errors?: unknown }>) => collectSubscription<VersionEvent>(iterator, 'modelVersionEvents')
const summary = (events: VersionEvent[]) => events.map((event) => `${event.kind} ${event.version?.id}`)

describeEachEngine('modelVersionEvents on the native registry', (engine) => {
  let gw: TestGateway
  let url: string
  beforeAll(async () => {
    gw = await startTestGateway({ backends: [{ ...nativeBackendConfig(engine), registryPollMs: 100 }] })
    url = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}/graphql`
  })
  afterAll(() => gw.close())

  it('streams registrations, stage and alias changes of one model over SSE, fresh on each event', async () => {
    const model = (await gw.data(CreateRegisteredModelDocument, { input: { name: 'watched-model' } })).createRegisteredModel
    const other = (await gw.data(CreateRegisteredModelDocument, { input: { name: 'other-model' } })).createRegisteredModel
    const v1 = (await gw.data(CreateModelVersionDocument, { input: { modelId: model.id, source: 's3://m/1' } })).createModelVersion
    const client = createSseClient({ url, retryAttempts: 0 })
    const sub = collect(client.iterate({ query: print(ModelVersionEventsDocument), variables: { modelId: model.id } }))
    await waitForWatchers(gw, 'local', 1)
    const v2 = (await gw.data(CreateModelVersionDocument, { input: { modelId: model.id, source: 's3://m/2' } })).createModelVersion
    await gw.data(CreateModelVersionDocument, { input: { modelId: other.id, source: 's3://o/1' } })
    await sub.until((events) => events.length >= 1)
    await gw.data(TransitionModelVersionDocument, { id: v1.id, stage: 'PRODUCTION' })
    await sub.until((events) => events.length >= 2)
    await gw.data(SetModelAliasDocument, { modelId: model.id, alias: 'champion', versionId: v2.id })
    await sub.until((events) => events.length >= 3)
    await sub.stop()
    expect(summary(sub.events)).toEqual([`CREATED ${v2.id}`, `STAGE_CHANGED ${v1.id}`, `ALIAS_CHANGED ${v2.id}`])
    expect(sub.events[1].version).toMatchObject({ stage: 'PRODUCTION' })
    expect(sub.events[2].version).toMatchObject({ aliases: ['champion'] })
    client.dispose()
    await waitForWatchers(gw, 'local', 0)
  })

  it('watches every model when no modelId is given, over graphql-ws', async () => {
    const client = createWsClient({ url: url.replace('http', 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 })
    const sub = collect(client.iterate({ query: print(ModelVersionEventsDocument), variables: {} }))
    await waitForWatchers(gw, 'local', 1)
    const model = (await gw.data(CreateRegisteredModelDocument, { input: { name: 'any-model' } })).createRegisteredModel
    const version = (await gw.data(CreateModelVersionDocument, { input: { modelId: model.id, source: 's3://a/1' } })).createModelVersion
    await sub.until((events) => events.length >= 1)
    await sub.stop()
    expect(summary(sub.events)).toEqual([`CREATED ${version.id}`])
    await client.dispose()
  })
})

describeMlflow('modelVersionEvents on an MLflow server (polled)', (mlflowUrl) => {
  it('reports a version registered and promoted through MLflow itself, one shared poller for many subscribers', async () => {
    const api = mlflowApi(mlflowUrl)
    const name = `events-${Math.random().toString(36).slice(2, 8)}`
    await api.post('registered-models/create', { name })
    const proxy: HttpProxy = await startHttpProxy(mlflowUrl)
    const gw = await startTestGateway({ backends: [{ id: 'lab', kind: 'mlflow', url: proxy.url, poll: { intervalMs: INTERVAL_MS } }] })
    const url = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}/graphql`
    const client = createSseClient({ url, retryAttempts: 0 })
    const subs = Array.from({ length: 5 }, () => collect(client.iterate({ query: print(ModelVersionEventsDocument), variables: { modelId: `RegisteredModel:lab:${name}` } })))
    await waitForWatchers(gw, 'lab', 5)
    await api.post('model-versions/create', { name, source: 's3://bucket/m/1' })
    for (const sub of subs) await sub.until((events) => events.length >= 1)
    await api.post('model-versions/transition-stage', { name, version: '1', stage: 'Staging', archive_existing_versions: false })
    await api.post('registered-models/alias', { name, alias: 'candidate', version: '1' })
    for (const sub of subs) await sub.until((events) => events.length >= 3)
    for (const sub of subs) await sub.stop()
    const id = `ModelVersion:lab:${name}/1`
    for (const sub of subs) expect(summary(sub.events).sort()).toEqual([`ALIAS_CHANGED ${id}`, `CREATED ${id}`, `STAGE_CHANGED ${id}`].sort())
    // Five subscribers, one poller: about one version search per interval, never one per subscriber.
    const fresh = Array.from({ length: 5 }, () => collect(client.iterate({ query: print(ModelVersionEventsDocument), variables: { modelId: `RegisteredModel:lab:${name}` } })))
    await waitForWatchers(gw, 'lab', 5)
    proxy.requests.length = 0
    const started = Date.now()
    await new Promise((resolve) => setTimeout(resolve, 8 * INTERVAL_MS))
    const searches = proxy.requests.filter((request) => request.endsWith('/model-versions/search')).length
    const intervals = (Date.now() - started) / INTERVAL_MS
    expect(searches).toBeGreaterThanOrEqual(1)
    expect(searches).toBeLessThanOrEqual(Math.ceil(intervals) + 1)
    for (const sub of fresh) await sub.stop()
    client.dispose()
    await gw.close()
    await proxy.close()
  })
})

describeMoto('modelVersionEvents on SageMaker (polled)', (motoUrl) => {
  it('reports new packages and approval changes', async () => {
    const api = sagemakerApi(motoUrl)
    const group = `events-${Math.random().toString(36).slice(2, 8)}`
    await api.createGroup(group)
    const first = await api.createPackage(group)
    const gw = await startTestGateway({ backends: [{ ...sagemakerBackendConfig(motoUrl, 'sm', { readOnly: false }), poll: { intervalMs: 200 } }] })
    const url = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}/graphql`
    const client = createSseClient({ url, retryAttempts: 0 })
    const sub = collect(client.iterate({ query: print(ModelVersionEventsDocument), variables: { modelId: `RegisteredModel:sm:${group}` } }))
    await waitForWatchers(gw, 'sm', 1)
    const second = await api.createPackage(group)
    await sub.until((events) => events.length >= 1)
    await gw.data(SetModelVersionApprovalDocument, { id: `ModelVersion:sm:${first}`, status: 'APPROVED' })
    await sub.until((events) => events.length >= 2)
    await sub.stop()
    expect(summary(sub.events)).toEqual([`CREATED ModelVersion:sm:${second}`, `APPROVAL_CHANGED ModelVersion:sm:${first}`])
    expect(sub.events[1].version).toMatchObject({ approvalStatus: 'APPROVED', backend: { id: 'sm' } })
    client.dispose()
    await gw.close()
    api.close()
  })
})
