import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEachEngine, nativeBackendConfig } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'
import { migrateToLatest, openNativeDatabase } from '../../src/adapters/native/client.js'
import { NativeAuditLog } from '../../src/adapters/native/audit-log.js'
import { type NativeBackendConfig, parseConfig } from '../../src/config.js'

/** The audit trail: every write and permission change, with who, which API, and how it ended; append-only; no secrets. */
describeEachEngine('audit trail', (engine) => {
  let gw: TestGateway
  let url: string
  const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
  const admin = basic('admin', 'admin-password-1')
  const bo = basic('bo', 'bo-secret-password')

  const mlflow = async (method: 'GET' | 'POST', path: string, authorization: string, body: Record<string, unknown>, version = '2.0') => {
    const target = new URL(`${url}/api/${version}/mlflow/${path}`)
    if (method === 'GET') for (const [key, value] of Object.entries(body)) target.searchParams.set(key, String(value))
    const response = await fetch(target, { method, headers: { authorization, 'content-type': 'application/json' }, body: method === 'GET' ? undefined : JSON.stringify(body) })
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }
  const graphql = async (query: string, authorization: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) })
    return (await response.json()) as { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] }
  }
  type Event = { actor: string; api: string; operation: string; recordType: string; recordId: string | null; summary: string; result: string }
  const events = async (filter: Record<string, unknown>, authorization = admin) => {
    const answer = await graphql('query ($f: AuditEventFilter) { auditEvents(filter: $f, first: 100) { nodes { actor api operation recordType recordId summary result } } }', authorization, { f: filter })
    return answer
  }

  beforeAll(async () => {
    gw = await startTestGateway({ backends: [nativeBackendConfig(engine)], auth: { admin: { username: 'admin', password: 'admin-password-1' }, passwordHashCost: 12 } })
    url = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}`
  })
  afterAll(() => gw.close())

  it('records writes and refusals with actor, API and result; summaries name keys, never values or secrets', async () => {
    expect((await mlflow('POST', 'users/create', admin, { username: 'bo', password: 'bo-secret-password' })).status).toBe(200)
    const experiment = String((await mlflow('POST', 'experiments/create', admin, { name: 'audited' })).body.experiment_id)
    const created = (await mlflow('POST', 'runs/create', admin, { experiment_id: experiment, run_name: 'r', user_id: 'laptop-user', tags: [{ key: 'mlflow.user', value: 'laptop-user' }] })).body.run as {
      info: { run_id: string; user_id: string }
      data: { tags: { key: string; value: string }[] }
    }
    const runId = created.info.run_id
    // The run is the signed-in user's, not the name the client sent.
    expect(created.info.user_id).toBe('admin')
    expect(created.data.tags.find((tag) => tag.key === 'mlflow.user')?.value).toBe('admin')
    await mlflow('POST', 'users/permissions/grant', admin, { username: 'bo', resource_type: 'experiment', resource_id: experiment, permission: 'EDIT' }, '3.0')
    expect((await mlflow('POST', 'runs/log-batch', bo, { run_id: runId, metrics: [{ key: 'loss', value: 0.25, timestamp: 1, step: 0 }], params: [{ key: 'lr', value: 'very-secret-value' }] })).status).toBe(200)
    expect((await mlflow('POST', 'runs/delete', bo, { run_id: runId })).status).toBe(403)
    const renamed = await graphql('mutation ($r: ID!) { updateRun(input: { id: $r, name: "renamed" }) { name } }', bo, { r: `Run:local:${runId}` })
    expect(renamed.errors).toBeUndefined()

    const byBo = ((await events({ actor: 'bo' })).data?.auditEvents as { nodes: Event[] }).nodes
    expect(byBo.map((event) => [event.api, event.operation, event.recordId, event.result])).toEqual([
      ['graphql', 'updateRun', runId, 'ok'],
      ['mlflow-api', 'deleteRun', runId, 'FORBIDDEN'],
      ['mlflow-api', 'logBatch', runId, 'ok'],
    ])
    expect(JSON.parse(byBo[2].summary)).toEqual({ points: 1, metrics: ['loss'], params: ['lr'], tags: [] })
    const everything = JSON.stringify((await events({})).data)
    for (const secret of ['very-secret-value', 'bo-secret-password', 'admin-password-1']) expect(everything).not.toContain(secret)
    expect(everything).toContain('grantPermission')
    expect(everything).toContain('createUser')

    // The run's own view, for anyone who may read it; the whole trail is for admins.
    const runView = await graphql('query ($r: ID!) { run(id: $r) { auditEvents { nodes { operation actor } } } }', bo, { r: `Run:local:${runId}` })
    expect((runView.data?.run as { auditEvents: { nodes: { operation: string }[] } }).auditEvents.nodes.map((event) => event.operation)).toEqual(['updateRun', 'deleteRun', 'logBatch', 'createRun'])
    expect((await events({}, bo)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN')
  })

  it('keeps a promotion history across stages in one query', async () => {
    await mlflow('POST', 'registered-models/create', admin, { name: 'promoted' })
    await mlflow('POST', 'model-versions/create', admin, { name: 'promoted', source: 's3://bucket/models/p' })
    for (const stage of ['Staging', 'Production']) await mlflow('POST', 'model-versions/transition-stage', admin, { name: 'promoted', version: '1', stage, archive_existing_versions: false })
    const history = ((await events({ operations: ['transitionModelVersion', 'setModelVersionApproval'] })).data?.auditEvents as { nodes: Event[] }).nodes
    expect(history.map((event) => JSON.parse(event.summary).stage)).toEqual(['PRODUCTION', 'STAGING'])
  })
})

describeEachEngine('the audit trail in the native store', (engine) => {
  it('is append-only: the database refuses to change or remove an event', async () => {
    const backend = parseConfig({ backends: [nativeBackendConfig(engine)] }).backends[0] as NativeBackendConfig
    const database = await openNativeDatabase(backend)
    try {
      await migrateToLatest(database.db, backend.schema)
      const log = new NativeAuditLog(database.db)
      await log.append({ actor: 'ana', door: 'graphql', operation: 'logBatch', recordType: 'run', backendId: 'local', recordId: 'r1', summary: { points: 1 }, result: 'ok' })
      expect((await log.list({ actor: 'ana' }, { first: 10, after: null })).map((event) => event.operation)).toEqual(['logBatch'])
      await expect(sql`update audit_events set actor = 'someone else'`.execute(database.db)).rejects.toThrow(/append-only/)
      await expect(sql`delete from audit_events`.execute(database.db)).rejects.toThrow(/append-only/)
      expect((await log.list({}, { first: 10, after: null })).map((event) => event.actor)).toEqual(['ana'])
    } finally {
      await database.close()
    }
  })
})
