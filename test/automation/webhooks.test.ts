import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import type { ConfigInput } from '../../src/config.js'
import {
  CreateWebhookDocument,
  DeleteWebhookDocument,
  PromoteModelVersionDocument,
  RedeliverWebhookDeliveryDocument,
  TestWebhookDocument,
  UpdateWebhookDocument,
  WebhookDeliveriesDocument,
  WebhooksDocument,
} from '../generated/graphql.js'
import { type Engine, describeEachEngine, describePostgres, nativeBackendConfig } from '../support/engines.js'
import { type TestGateway, errorCodes, startTestGateway } from '../support/gateway.js'
import { type WebhookReceiver, mlflowAcceptsSignatures, startWebhookReceiver } from '../support/webhook-receiver.js'

const SECRET_KEY = 'a-test-key-that-is-at-least-32-characters-long'
const SECRET = 'receiver-shared-secret'
const eventually = { timeout: 20_000, interval: 50 }

/** Webhooks over MLflow's REST API and GraphQL, delivered to a loopback receiver. */
describeEachEngine('webhooks', (engine: Engine) => {
  let store: ReturnType<typeof nativeBackendConfig>
  let dataDir: string | null = null
  let gw: TestGateway
  let base: string
  let receiver: WebhookReceiver

  const start = async (extra: Partial<ConfigInput> = {}) => {
    const gateway = await startTestGateway({
      backends: [store],
      webhooks: { secretKey: SECRET_KEY, allowedTargets: ['127.0.0.1'], initialBackoffMs: 50, maxBackoffMs: 400, ...extra.webhooks },
      ...extra,
    })
    const port = await gateway.gateway.listen(0, '127.0.0.1')
    return { gateway, base: `http://127.0.0.1:${port}/api/2.0/mlflow` }
  }
  const api = async (path: string, method = 'GET', body?: unknown, at = base): Promise<{ status: number; json: Record<string, any> }> => {
    const response = await fetch(`${at}/${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
    return { status: response.status, json: (await response.json()) as Record<string, any> }
  }
  const allEvents = [
    ['REGISTERED_MODEL', 'CREATED'],
    ['MODEL_VERSION', 'CREATED'],
    ['MODEL_VERSION_TAG', 'SET'],
    ['MODEL_VERSION_TAG', 'DELETED'],
    ['MODEL_VERSION_ALIAS', 'CREATED'],
    ['MODEL_VERSION_ALIAS', 'DELETED'],
    ['RUN', 'CREATED'],
    ['RUN', 'FINISHED'],
    ['MODEL_VERSION', 'PROMOTED'],
  ].map(([entity, action]) => ({ entity, action }))

  beforeAll(async () => {
    if (engine === 'pglite') {
      dataDir = mkdtempSync(join(tmpdir(), 'mlgate-webhooks-'))
      store = { id: 'local', kind: 'native', dataDir }
    } else store = nativeBackendConfig(engine)
    receiver = await startWebhookReceiver()
    ;({ gateway: gw, base } = await start())
  })
  afterAll(async () => {
    await gw?.close()
    await receiver?.close()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  it("manages webhooks through MLflow's API with MLflow's shapes, never answering the secret", async () => {
    const created = await api('webhooks', 'POST', { name: 'ci.hook-1', url: receiver.url, events: [{ entity: 'MODEL_VERSION', action: 'CREATED' }], secret: 'temporary', description: 'first' })
    expect(created.status).toBe(200)
    const webhook = created.json.webhook
    expect(Object.keys(webhook).sort()).toEqual(['creation_timestamp', 'description', 'events', 'last_updated_timestamp', 'name', 'status', 'url', 'webhook_id'])
    expect(webhook).toMatchObject({ name: 'ci.hook-1', url: receiver.url, events: [{ entity: 'MODEL_VERSION', action: 'CREATED' }], status: 'ACTIVE', description: 'first' })
    expect(JSON.stringify(webhook)).not.toContain('temporary')

    const patched = await api(`webhooks/${webhook.webhook_id}`, 'PATCH', { status: 'DISABLED', description: '' })
    expect(patched.json.webhook).toMatchObject({ status: 'DISABLED', name: 'ci.hook-1' })
    expect(patched.json.webhook.description).toBeUndefined()
    expect(patched.json.webhook.last_updated_timestamp).toBeGreaterThanOrEqual(webhook.last_updated_timestamp)
    expect((await api(`webhooks/${webhook.webhook_id}`)).json.webhook.status).toBe('DISABLED')
    const listed = await api('webhooks?max_results=1000')
    expect(listed.json.webhooks.map((hook: { webhook_id: string }) => hook.webhook_id)).toContain(webhook.webhook_id)

    // MLflow's refusals, in its codes.
    const badAction = await api('webhooks', 'POST', { name: 'bad', url: receiver.url, events: [{ entity: 'MODEL_VERSION', action: 'SET' }] })
    expect([badAction.status, badAction.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE'])
    const badName = await api('webhooks', 'POST', { name: '-bad-', url: receiver.url, events: [{ entity: 'MODEL_VERSION', action: 'CREATED' }] })
    expect(badName.json.error_code).toBe('INVALID_PARAMETER_VALUE')
    const badScheme = await api('webhooks', 'POST', { name: 'ftp', url: 'ftp://127.0.0.1/x', events: [{ entity: 'MODEL_VERSION', action: 'CREATED' }] })
    expect(badScheme.json.message).toContain("Invalid webhook URL scheme: 'ftp'")
    // As MLflow: 0 means the default page.
    expect((await api('webhooks?max_results=0')).json.webhooks.length).toBeGreaterThan(0)
    expect((await api('webhooks?max_results=1001')).json.error_code).toBe('INVALID_PARAMETER_VALUE')
    const missing = await api('webhooks/no-such-id')
    expect([missing.status, missing.json.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST'])

    expect((await api(`webhooks/${webhook.webhook_id}`, 'DELETE')).status).toBe(200)
    expect((await api(`webhooks/${webhook.webhook_id}`)).status).toBe(404)
  })

  it('refuses private and loopback targets unless webhooks.allowedTargets names them', async () => {
    // Gateways of their own, on a store of their own (an embedded one allows one process).
    const own = { backends: [nativeBackendConfig('pglite')] }
    const strict = await start({ ...own, webhooks: { secretKey: SECRET_KEY, allowedTargets: [] } })
    try {
      for (const url of ['http://127.0.0.1:9/x', 'http://10.1.2.3/x', 'http://[::1]:9/x', 'http://169.254.169.254/latest', 'http://localhost:9/x', 'http://[::ffff:127.0.0.1]/x']) {
        const refused = await api('webhooks', 'POST', { name: 'private', url, events: [{ entity: 'RUN', action: 'CREATED' }] }, strict.base)
        expect([url, refused.status, refused.json.error_code]).toEqual([url, 400, 'INVALID_PARAMETER_VALUE'])
        expect(refused.json.message).toContain('webhooks.allowedTargets')
      }
      const credentials = await api('webhooks', 'POST', { name: 'creds', url: 'http://user:pw@127.0.0.1/x', events: [{ entity: 'RUN', action: 'CREATED' }] })
      expect(credentials.json.error_code).toBe('INVALID_PARAMETER_VALUE')
      // A secret needs the key that seals it.
      const keyless = await start({ ...own, webhooks: { allowedTargets: ['127.0.0.1'] } })
      try {
        const refused = await api('webhooks', 'POST', { name: 'signed', url: receiver.url, events: [{ entity: 'RUN', action: 'CREATED' }], secret: 's' }, keyless.base)
        expect(refused.json.message).toContain('webhooks.secretKey')
      } finally {
        await keyless.gateway.close()
      }
    } finally {
      await strict.gateway.close()
    }
  })

  it('delivers each event kind once, signed so that MLflow\'s own signing code accepts it', async () => {
    const created = await api('webhooks', 'POST', { name: 'everything', url: receiver.url, events: allEvents, secret: SECRET })
    const webhookId = created.json.webhook.webhook_id as string
    const model = `wh-${engine}-${Math.random().toString(36).slice(2, 8)}`
    await api('registered-models/create', 'POST', { name: model })
    const run = (await api('runs/create', 'POST', { experiment_id: '0' })).json.run.info
    await api('model-versions/create', 'POST', { name: model, source: 's3://bucket/model', run_id: run.run_id })
    await api('model-versions/set-tag', 'POST', { name: model, version: '1', key: 'validated', value: 'yes' })
    await api('model-versions/delete-tag', 'DELETE', { name: model, version: '1', key: 'validated' })
    await api('registered-models/alias', 'POST', { name: model, alias: 'champion', version: '1' })
    await api('registered-models/alias', 'DELETE', { name: model, alias: 'champion' })
    await api('runs/update', 'POST', { run_id: run.run_id, status: 'FINISHED', end_time: Date.now() })
    const promoted = await gw.data(PromoteModelVersionDocument, { id: `ModelVersion:local:${model}/1`, to: 'PRODUCTION' })
    expect(promoted.promoteModelVersion).toMatchObject({ stage: 'PRODUCTION', promotion: 'PRODUCTION' })

    const ofModel = () => receiver.received.filter((delivery) => delivery.json.data.name === model || delivery.json.data.run_id === run.run_id)
    await vi.waitFor(() => expect(ofModel()).toHaveLength(9), eventually)
    const kinds = ofModel().map((delivery) => `${delivery.json.entity}.${delivery.json.action}`)
    expect(new Set(kinds).size).toBe(9)
    expect(ofModel().find((delivery) => delivery.json.entity === 'model_version' && delivery.json.action === 'created')?.json.data).toMatchObject({
      name: model,
      version: '1',
      source: 's3://bucket/model',
      run_id: run.run_id,
      tags: {},
      description: null,
    })
    expect(ofModel().find((delivery) => delivery.json.action === 'finished')?.json.data).toMatchObject({ run_id: run.run_id, status: 'FINISHED', backend: 'local' })
    expect(ofModel().find((delivery) => delivery.json.action === 'promoted')?.json.data).toMatchObject({ name: model, version: '1', promotion: 'PRODUCTION', stage: 'PRODUCTION' })
    expect(ofModel().every((delivery) => !Number.isNaN(Date.parse(delivery.json.timestamp)))).toBe(true)
    expect(await mlflowAcceptsSignatures(SECRET, ofModel())).toEqual(ofModel().map(() => true))
    // A wrong secret is not accepted: the check can fail.
    expect(await mlflowAcceptsSignatures('another secret', ofModel().slice(0, 1))).toEqual([false])

    // Nothing more arrives: each was delivered once.
    const log = await gw.data(WebhookDeliveriesDocument, { id: webhookId, first: 100 })
    expect(log.webhook.deliveries.nodes.filter((delivery) => delivery.status === 'DONE')).toHaveLength(ofModel().length)
    expect(new Set(ofModel().map((delivery) => delivery.deliveryId)).size).toBe(9)
    await api(`webhooks/${webhookId}`, 'DELETE')
  })

  it('retries a receiver that is down or busy, honouring Retry-After, and delivers once it answers', async () => {
    const hook = await gw.data(CreateWebhookDocument, { input: { name: 'retrying', url: receiver.url, events: ['RUN_CREATED'], secret: SECRET } })
    const deliveries = async () => (await gw.data(WebhookDeliveriesDocument, { id: hook.createWebhook.id, first: 10 })).webhook.deliveries.nodes
    // A cut connection and a 429 are retried on the backoff; a 503 asking for an hour is waited out that long.
    receiver.answerNext('drop', { status: 429 }, { status: 503, headers: { 'retry-after': '3600' } })
    const run = (await api('runs/create', 'POST', { experiment_id: '0' })).json.run.info
    await vi.waitFor(async () => expect((await deliveries())[0]).toMatchObject({ status: 'PENDING', attempts: 3, lastStatus: 503, lastError: 'answered 503' }), eventually)
    const waiting = (await deliveries())[0]
    expect(Date.parse(waiting.nextAttemptAt!) - Date.parse(waiting.createdAt)).toBeGreaterThanOrEqual(3_500_000)
    expect(receiver.attempts.filter((attempt) => attempt.deliveryId === waiting.deliveryId).map((attempt) => attempt.status)).toEqual(['drop', 429, 503])
    // Redelivered on demand, it goes now, and is received once.
    await gw.data(RedeliverWebhookDeliveryDocument, { id: waiting.id })
    await vi.waitFor(() => expect(receiver.received.filter((delivery) => delivery.json.data.run_id === run.run_id)).toHaveLength(1), eventually)
    expect((await deliveries())[0]).toMatchObject({ status: 'DONE', attempts: 4, lastStatus: 200, lastError: null })

    // A 4xx is not retried: the delivery is given up, shown in the log, and redelivered on demand with its id kept.
    receiver.answerNext({ status: 410 })
    const second = (await api('runs/create', 'POST', { experiment_id: '0' })).json.run.info
    await vi.waitFor(async () => {
      const failed = (await gw.data(WebhookDeliveriesDocument, { id: hook.createWebhook.id, first: 10 })).webhook.deliveries.nodes[0]
      expect(failed).toMatchObject({ status: 'FAILED', attempts: 1, lastStatus: 410, lastError: 'answered 410' })
    }, eventually)
    const failed = (await gw.data(WebhookDeliveriesDocument, { id: hook.createWebhook.id, first: 10 })).webhook.deliveries.nodes[0]
    await gw.data(RedeliverWebhookDeliveryDocument, { id: failed.id })
    await vi.waitFor(() => expect(receiver.received.filter((delivery) => delivery.json.data.run_id === second.run_id)).toHaveLength(1), eventually)
    expect(receiver.received.find((delivery) => delivery.json.data.run_id === second.run_id)?.deliveryId).toBe(failed.deliveryId)
    expect(errorCodes(await gw.request(RedeliverWebhookDeliveryDocument, { id: 'not-a-delivery' }))).toEqual(['NOT_FOUND'])
    await gw.data(DeleteWebhookDocument, { id: hook.createWebhook.id })
  })

  it('keeps pending deliveries across a restart and delivers each once', async () => {
    const hook = await gw.data(CreateWebhookDocument, { input: { name: 'durable', url: receiver.url, events: ['REGISTERED_MODEL_CREATED'] } })
    // The receiver refuses for now (503s without Retry-After): the deliveries wait in the outbox.
    receiver.answerNext(...Array.from({ length: 6 }, () => ({ status: 503 })))
    const names = ['a', 'b', 'c'].map((suffix) => `durable-${engine}-${suffix}-${Math.random().toString(36).slice(2, 6)}`)
    for (const name of names) await api('registered-models/create', 'POST', { name })
    await vi.waitFor(() => expect(receiver.attempts.filter((attempt) => attempt.status === 503).length).toBeGreaterThanOrEqual(2), eventually)
    await gw.close()
    const restarted = await start()
    gw = restarted.gateway
    base = restarted.base
    await vi.waitFor(() => expect(receiver.received.filter((delivery) => names.includes(String(delivery.json.data.name)))).toHaveLength(3), eventually)
    // In order (one webhook's deliveries go one at a time, oldest first), and none twice.
    expect(receiver.received.filter((delivery) => names.includes(String(delivery.json.data.name))).map((delivery) => delivery.json.data.name)).toEqual(names)
    await new Promise((settle) => setTimeout(settle, 500))
    expect(receiver.received.filter((delivery) => names.includes(String(delivery.json.data.name)))).toHaveLength(3)
    await gw.data(DeleteWebhookDocument, { id: hook.createWebhook.id })
  })

  it('manages the same webhooks in GraphQL, tests them and stores their secrets sealed', async () => {
    const hook = (await gw.data(CreateWebhookDocument, { input: { name: 'graphql-made', url: receiver.url, events: ['MODEL_VERSION_PROMOTED', 'RUN_FINISHED'], secret: SECRET } })).createWebhook
    expect(hook).toMatchObject({ status: 'ACTIVE', signed: true, events: ['MODEL_VERSION_PROMOTED', 'RUN_FINISHED'] })
    expect((await api(`webhooks/${hook.id}`)).json.webhook.events).toEqual([
      { entity: 'MODEL_VERSION', action: 'PROMOTED' },
      { entity: 'RUN', action: 'FINISHED' },
    ])
    const listed = await gw.data(WebhooksDocument, { first: 100 })
    expect(listed.webhooks.nodes.map((node) => node.id)).toContain(hook.id)
    const tested = await gw.data(TestWebhookDocument, { id: hook.id, event: 'RUN_FINISHED' })
    expect(tested.testWebhook).toMatchObject({ success: true, responseStatus: 200, responseBody: 'ok' })
    const example = receiver.received.at(-1)
    expect(example?.json).toMatchObject({ entity: 'run', action: 'finished' })
    expect(await mlflowAcceptsSignatures(SECRET, [example!])).toEqual([true])
    // The row holds no trace of the secret.
    const stored = await gw.gateway.backends.get('local').automation!.webhooks.get(hook.id)
    expect(stored?.encryptedSecret).toMatch(/^v1\./)
    expect(stored?.encryptedSecret).not.toContain(SECRET)
    expect(stored?.encryptedSecret).not.toContain(Buffer.from(SECRET).toString('base64'))
    const unsigned = await gw.data(UpdateWebhookDocument, { id: hook.id, input: { secret: '' } })
    expect(unsigned.updateWebhook.signed).toBe(false)
    expect(errorCodes(await gw.request(UpdateWebhookDocument, { id: hook.id, input: { url: 'http://10.0.0.1/x' } }))).toEqual(['BAD_USER_INPUT'])
    expect(errorCodes(await gw.request(UpdateWebhookDocument, { id: 'missing', input: { name: 'x' } }))).toEqual(['NOT_FOUND'])
    await gw.data(DeleteWebhookDocument, { id: hook.id })
  })

  it('fires metric.threshold_crossed once per crossing of a rule, evaluated on the live stream', async () => {
    const watcher = await start({
      backends: [nativeBackendConfig('pglite')],
      webhooks: {
        allowedTargets: ['127.0.0.1'],
        metricRules: [{ name: 'accuracy-drop', backend: 'local', experimentId: '0', key: 'accuracy', condition: '< 0.9', window: 2 }],
      },
    })
    try {
      await api('webhooks', 'POST', { name: 'thresholds', url: receiver.url, events: [{ entity: 'METRIC', action: 'THRESHOLD_CROSSED' }] }, watcher.base)
      const live = watcher.gateway.gateway.backends.get('local').live!
      const watching = live.watcherCount()
      const run = (await api('runs/create', 'POST', { experiment_id: '0' }, watcher.base)).json.run.info
      // The rule starts watching the new run when its creation reaches the live stream.
      await vi.waitFor(() => expect(live.watcherCount()).toBeGreaterThan(watching), eventually)
      const values = [0.95, 0.95, 0.87, 0.8, 0.7, 0.99, 0.99, 0.5, 0.4]
      for (const [step, value] of values.entries()) {
        await api('runs/log-metric', 'POST', { run_id: run.run_id, key: 'accuracy', value, step, timestamp: 1_000 + step }, watcher.base)
        await api('runs/log-metric', 'POST', { run_id: run.run_id, key: 'loss', value: 0.1, step, timestamp: 1_000 + step }, watcher.base)
      }
      const crossings = () => receiver.ofEvent('metric', 'threshold_crossed').filter((delivery) => delivery.json.data.run_id === run.run_id)
      await vi.waitFor(() => expect(crossings()).toHaveLength(2), eventually)
      // The two-point average went under 0.9 at step 3 (0.835), back over at step 6 (0.99), under again at step 7 (0.745).
      expect(crossings().map((delivery) => [delivery.json.data.step, delivery.json.data.value])).toEqual([
        [3, (0.87 + 0.8) / 2],
        [7, (0.99 + 0.5) / 2],
      ])
      expect(crossings()[0].json.data).toMatchObject({ rule: 'accuracy-drop', key: 'accuracy', condition: '< 0.9', window: 2, backend: 'local' })
      await new Promise((settle) => setTimeout(settle, 300))
      expect(crossings()).toHaveLength(2)
    } finally {
      await watcher.gateway.close()
    }
  })
})

/** Two replicas on one PostgreSQL schema share the outbox: each delivery is made once, by whichever replica locks it, in order. */
describePostgres('webhooks across replicas', () => {
  it('delivers every event once, in order, whichever replica queued or sent it', async () => {
    const store = nativeBackendConfig('postgres')
    const receiver = await startWebhookReceiver()
    const replicas = await Promise.all([0, 1].map(() => startTestGateway({ backends: [store], webhooks: { allowedTargets: ['127.0.0.1'] } })))
    try {
      const ports = await Promise.all(replicas.map((replica) => replica.gateway.listen(0, '127.0.0.1')))
      await replicas[0].gateway.automation!.webhooks.create(null, { name: 'shared', url: receiver.url, events: ['registered_model.created'], description: null, secret: null, status: null })
      const names = Array.from({ length: 30 }, (_, index) => `replicated-${String(index).padStart(2, '0')}`)
      for (const [index, name] of names.entries()) {
        const response = await fetch(`http://127.0.0.1:${ports[index % 2]}/api/2.0/mlflow/registered-models/create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) })
        expect(response.status).toBe(200)
      }
      await vi.waitFor(() => expect(receiver.received).toHaveLength(30), { timeout: 30_000, interval: 50 })
      expect(receiver.received.map((delivery) => delivery.json.data.name)).toEqual(names)
      const delivered = await Promise.all(
        ports.map(async (port) => {
          const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
          return Number(/mlgate_webhook_delivery_attempts_total\{outcome="delivered"\} (\d+)/.exec(text)?.[1] ?? 0)
        }),
      )
      expect(delivered[0] + delivered[1]).toBe(30)
      await new Promise((settle) => setTimeout(settle, 500))
      expect(receiver.attempts).toHaveLength(30)
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()))
      await receiver.close()
    }
  })
})

/** Webhooks are the admins' when auth is on; hostile bodies get MLflow's error body and change nothing. */
describeEachEngine('webhooks under auth and hostile input', (engine: Engine) => {
  const ADMIN = { username: 'admin', password: 'admin-password-1' }
  let gw: TestGateway
  let base: string
  const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
  const call = async (path: string, method: string, body: unknown, authorization = basic(ADMIN.username, ADMIN.password)) => {
    const response = await fetch(`${base}/${path}`, { method, headers: { 'content-type': 'application/json', authorization }, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) })
    return { status: response.status, json: (await response.json()) as Record<string, any> }
  }

  beforeAll(async () => {
    gw = await startTestGateway({ backends: [nativeBackendConfig(engine)], auth: { admin: ADMIN, passwordHashCost: 12 }, webhooks: { secretKey: SECRET_KEY, allowedTargets: ['127.0.0.1'] } })
    base = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}/api/2.0/mlflow`
    await call('users/create', 'POST', { username: 'ana', password: 'ana-password-12' })
  })
  afterAll(async () => {
    await gw?.close()
  })

  it('lets admins manage webhooks and refuses everyone else', async () => {
    const made = await call('webhooks', 'POST', { name: 'admins-only', url: 'http://127.0.0.1:9/x', events: [{ entity: 'RUN', action: 'CREATED' }] })
    expect(made.status).toBe(200)
    const ana = basic('ana', 'ana-password-12')
    for (const [path, method, body] of [
      ['webhooks', 'GET', undefined],
      ['webhooks', 'POST', { name: 'mine', url: 'http://127.0.0.1:9/x', events: [{ entity: 'RUN', action: 'CREATED' }] }],
      [`webhooks/${made.json.webhook.webhook_id}`, 'GET', undefined],
      [`webhooks/${made.json.webhook.webhook_id}`, 'PATCH', { status: 'DISABLED' }],
      [`webhooks/${made.json.webhook.webhook_id}`, 'DELETE', undefined],
      [`webhooks/${made.json.webhook.webhook_id}/test`, 'POST', {}],
    ] as const) {
      const refused = await call(path, method, body, ana)
      expect([path, method, refused.status, refused.json.error_code]).toEqual([path, method, 403, 'PERMISSION_DENIED'])
    }
    expect((await call(`webhooks/${made.json.webhook.webhook_id}`, 'GET', undefined)).json.webhook.status).toBe('ACTIVE')
  })

  it('answers hostile bodies with MLflow error bodies and stores nothing', async () => {
    const before = (await call('webhooks?max_results=1000', 'GET', undefined)).json.webhooks?.length ?? 0
    const hostile: unknown[] = [
      '{"name": "x", "url": ',
      { name: 'x', url: 'http://127.0.0.1:9/x', events: 'RUN.CREATED' },
      { name: 'x', url: 'http://127.0.0.1:9/x', events: [] },
      { name: 'x', url: 'http://127.0.0.1:9/x', events: [{ entity: 'RUN' }] },
      { name: 'x', url: 'http://127.0.0.1:9/x', events: [{ entity: '__proto__', action: 'constructor' }] },
      { name: 'x'.repeat(64), url: 'http://127.0.0.1:9/x', events: [{ entity: 'RUN', action: 'CREATED' }] },
      { name: 'x', url: `http://127.0.0.1:9/${'a'.repeat(3000)}`, events: [{ entity: 'RUN', action: 'CREATED' }] },
      { name: 'x', url: 'http://127.0.0.1:9/x', events: [{ entity: 'RUN', action: 'CREATED' }], secret: 'a\u0000b' },
      { name: 'x', url: 'http://127.0.0.1:9/x', events: [{ entity: 'RUN', action: 'CREATED' }], status: 'PAUSED' },
      { name: 'x', url: 'not a url', events: [{ entity: 'RUN', action: 'CREATED' }] },
      { name: 'x', url: 'http://[::1/x', events: [{ entity: 'RUN', action: 'CREATED' }] },
      { name: 'x', url: 'http://127.0.0.1:9/x', events: [{ entity: 'RUN', action: 'CREATED' }], description: 'd'.repeat(5000) },
    ]
    for (const body of hostile) {
      const answer = await call('webhooks', 'POST', body)
      expect(answer.status).toBe(400)
      expect(answer.json.error_code).toMatch(/^(INVALID_PARAMETER_VALUE|MALFORMED_REQUEST|BAD_REQUEST)$/)
      expect(JSON.stringify(answer.json)).not.toMatch(/at .*\.ts|stack|select |insert /i)
    }
    expect((await call('webhooks?page_token=garbage', 'GET', undefined)).json.error_code).toBe('INVALID_PARAMETER_VALUE')
    expect((await call('webhooks/%00', 'GET', undefined)).status).toBeGreaterThanOrEqual(400)
    expect((await call('webhooks?max_results=1000', 'GET', undefined)).json.webhooks?.length ?? 0).toBe(before)
    expect((await fetch(`${base.replace('/api/2.0/mlflow', '')}/health`)).status).toBe(200)
  })
})
