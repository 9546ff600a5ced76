import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEachEngine, nativeBackendConfig } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'
import { migrateToLatest, openNativeDatabase } from '../../src/adapters/native/client.js'
import { NativeAuditLog } from '../../src/adapters/native/audit-log.js'
import { writeTransaction } from '../../src/adapters/native/write-transaction.js'
import { PendingAuditEvent, offeringAuditEvent } from '../../src/contract/audit-log.js'
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

  it('writes one event per write, committed with the write: a failed write leaves only its failure', async () => {
    const experiment = String((await mlflow('POST', 'experiments/create', admin, { name: 'one-event-each' })).body.experiment_id)
    const runId = ((await mlflow('POST', 'runs/create', admin, { experiment_id: experiment })).body.run as { info: { run_id: string } }).info.run_id
    const batch = (body: Record<string, unknown>) => mlflow('POST', 'runs/log-batch', admin, { run_id: runId, ...body })
    expect((await batch({ metrics: [{ key: 'loss', value: 1, timestamp: 1, step: 0 }] })).status).toBe(200)
    expect((await batch({ params: [{ key: 'lr', value: '0.1' }], metrics: [{ key: 'loss', value: 2, timestamp: 2, step: 1 }] })).status).toBe(200)
    // A param may not change: the batch fails inside its transaction, and its metric point is not kept.
    expect((await batch({ params: [{ key: 'lr', value: '0.2' }], metrics: [{ key: 'loss', value: 3, timestamp: 3, step: 2 }] })).status).toBe(400)
    expect((await mlflow('POST', 'runs/delete', admin, { run_id: runId })).status).toBe(200)
    // A metrics-only batch to a deleted run: refused after its statement, in the transaction that carried the event.
    expect((await batch({ metrics: [{ key: 'loss', value: 4, timestamp: 4, step: 3 }] })).status).toBe(400)
    const ofRun = ((await events({ recordId: runId })).data?.auditEvents as { nodes: Event[] }).nodes
    expect(ofRun.map((event) => [event.operation, event.result])).toEqual([
      ['logBatch', 'BAD_USER_INPUT'],
      ['deleteRun', 'ok'],
      ['logBatch', 'CONFLICT'],
      ['logBatch', 'ok'],
      ['logBatch', 'ok'],
      ['createRun', 'ok'],
    ])
    await mlflow('POST', 'runs/restore', admin, { run_id: runId })
    const history = (await mlflow('GET', 'metrics/get-history', admin, { run_id: runId, metric_key: 'loss' })).body.metrics as { value: number }[]
    expect(history.map((point) => point.value)).toEqual([1, 2])
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

  it("commits an offered event with the write's transaction, or neither", async () => {
    const backend = parseConfig({ backends: [nativeBackendConfig(engine)] }).backends[0] as NativeBackendConfig
    const database = await openNativeDatabase(backend)
    try {
      await migrateToLatest(database.db, backend.schema)
      const log = new NativeAuditLog(database.db)
      const event = (recordId: string) => ({ actor: 'ana', door: 'graphql' as const, operation: 'setExperimentTags', recordType: 'experiment', backendId: 'local', recordId, summary: {}, result: 'ok' })
      const write = (name: string, fail: boolean) => async () =>
        writeTransaction(database.db, 'local', async (trx) => {
          await trx.insertInto('experiments').values({ name, artifact_location: null, created_at: 1, updated_at: 1 }).execute()
          if (fail) throw new Error('the write failed after its first statement')
        })
      const kept = new PendingAuditEvent('local', event('kept'))
      await offeringAuditEvent(kept, write('kept', false))
      expect(kept.committed).toBe(true)
      const failed = new PendingAuditEvent('local', event('failed'))
      await expect(offeringAuditEvent(failed, write('failed', true))).rejects.toThrow(/failed after/)
      // Handed back: the audit layer appends the failure itself.
      expect(failed.committed).toBe(false)
      expect(failed.isOfferedTo('local')).toBe(true)
      // Another backend's database does not take the trail's event.
      const elsewhere = new PendingAuditEvent('other', event('elsewhere'))
      await offeringAuditEvent(elsewhere, write('elsewhere', false))
      expect(elsewhere.committed).toBe(false)
      expect((await log.list({}, { first: 10, after: null })).map((row) => row.recordId)).toEqual(['kept'])
      const names = (await database.db.selectFrom('experiments').select('name').where('name', '!=', 'Default').execute()).map((row) => row.name).sort()
      expect(names).toEqual(['elsewhere', 'kept'])
    } finally {
      await database.close()
    }
  })
})
