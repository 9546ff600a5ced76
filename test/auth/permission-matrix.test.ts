import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEachEngine, nativeBackendConfig } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'

/**
 * The permission matrix, generated from one table: each operation (MLflow
 * endpoints and GraphQL fields) with the level it needs, tried by every kind
 * of caller on a record of its own, asserting the answer (allowed, or the
 * exact refusal) and, for refused writes, that nothing was written.
 */

type Level = 'READ' | 'USE' | 'EDIT' | 'MANAGE'
const RANK: Record<string, number> = { DENY: -1, READ: 1, USE: 2, EDIT: 3, MANAGE: 4, ADMIN: 9 }

/** Who asks: anonymous, a user with no grant (default READ), a user with each level or DENY on the experiment, an admin. */
const CALLERS = ['anonymous', 'no-grant', 'READ', 'USE', 'EDIT', 'MANAGE', 'DENY', 'admin'] as const
type Caller = (typeof CALLERS)[number]
const levelOf = (caller: Caller) => (caller === 'admin' ? 'ADMIN' : caller === 'no-grant' ? 'READ' : caller)

interface Fixture {
  experimentId: string
  runId: string
}

interface Operation {
  name: string
  needs: Level
  /** Sends the request; answers 'ok', or the refusal as `<status> <code>`. */
  run(fixture: Fixture, call: Callers): Promise<string>
  /** For writes: whether the record shows the write (read as the admin). */
  wrote?(fixture: Fixture, admin: Callers): Promise<boolean>
}

interface Callers {
  mlflow(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }>
  graphql(query: string, variables: Record<string, unknown>): Promise<{ status: number; body: { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] } }>
}

const mlflowOutcome = ({ status, body }: { status: number; body: Record<string, unknown> }) => (status === 200 ? 'ok' : `${status} ${String(body.error_code ?? '')}`.trim())
const graphqlOutcome = (answer: { status: number; body: { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] } }, field: string) =>
  answer.status !== 200 ? `${answer.status}` : answer.body.errors?.length ? String(answer.body.errors[0].extensions?.code) : answer.body.data?.[field] === null ? 'null' : 'ok'

const run = async (admin: Callers, fixture: Fixture) => (await admin.mlflow('GET', 'runs/get', { run_id: fixture.runId })).body.run as { info: { run_name: string; lifecycle_stage: string }; data: { metrics?: unknown[]; tags?: { key: string }[] } }

const OPERATIONS: Operation[] = [
  { name: 'MLflow experiments/get', needs: 'READ', run: async (f, c) => mlflowOutcome(await c.mlflow('GET', 'experiments/get', { experiment_id: f.experimentId })) },
  { name: 'MLflow runs/get', needs: 'READ', run: async (f, c) => mlflowOutcome(await c.mlflow('GET', 'runs/get', { run_id: f.runId })) },
  { name: 'MLflow metrics/get-history', needs: 'READ', run: async (f, c) => mlflowOutcome(await c.mlflow('GET', 'metrics/get-history', { run_id: f.runId, metric_key: 'loss' })) },
  { name: 'GraphQL run', needs: 'READ', run: async (f, c) => graphqlOutcome(await c.graphql('query ($id: ID!) { run(id: $id) { id } }', { id: `Run:local:${f.runId}` }), 'run') },
  {
    name: 'MLflow runs/log-metric',
    needs: 'EDIT',
    run: async (f, c) => mlflowOutcome(await c.mlflow('POST', 'runs/log-metric', { run_id: f.runId, key: 'loss', value: 1, timestamp: 1, step: 0 })),
    wrote: async (f, admin) => ((await run(admin, f)).data.metrics ?? []).length > 0,
  },
  {
    name: 'MLflow runs/set-tag',
    needs: 'EDIT',
    run: async (f, c) => mlflowOutcome(await c.mlflow('POST', 'runs/set-tag', { run_id: f.runId, key: 'touched', value: 'yes' })),
    wrote: async (f, admin) => ((await run(admin, f)).data.tags ?? []).some((tag) => tag.key === 'touched'),
  },
  {
    name: 'GraphQL logMetrics',
    needs: 'EDIT',
    run: async (f, c) => graphqlOutcome(await c.graphql('mutation ($r: ID!) { logMetrics(runId: $r, metrics: [{ key: "acc", value: 1 }]) { id } }', { r: `Run:local:${f.runId}` }), 'logMetrics'),
    wrote: async (f, admin) => ((await run(admin, f)).data.metrics as { key: string }[] | undefined ?? []).some((metric) => metric.key === 'acc'),
  },
  {
    name: 'MLflow runs/create',
    needs: 'EDIT',
    run: async (f, c) => mlflowOutcome(await c.mlflow('POST', 'runs/create', { experiment_id: f.experimentId, run_name: 'extra' })),
    wrote: async (f, admin) => (((await admin.mlflow('POST', 'runs/search', { experiment_ids: [f.experimentId] })).body.runs ?? []) as unknown[]).length > 1,
  },
  {
    name: 'MLflow runs/delete',
    needs: 'MANAGE',
    run: async (f, c) => mlflowOutcome(await c.mlflow('POST', 'runs/delete', { run_id: f.runId })),
    wrote: async (f, admin) => (await run(admin, f)).info.lifecycle_stage === 'deleted',
  },
]

describeEachEngine('permission matrix', (engine) => {
  let gw: TestGateway
  let url: string
  const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
  const callersBy = (authorization: string | null): Callers => ({
    async mlflow(method, path, body) {
      const target = new URL(`${url}/api/2.0/mlflow/${path}`)
      if (method === 'GET') for (const [key, value] of Object.entries(body)) target.searchParams.set(key, String(value))
      const response = await fetch(target, { method, headers: { ...(authorization && { authorization }), 'content-type': 'application/json' }, body: method === 'GET' ? undefined : JSON.stringify(body) })
      const text = await response.text()
      return { status: response.status, body: (text.startsWith('{') ? JSON.parse(text) : {}) as Record<string, unknown> }
    },
    async graphql(query, variables) {
      const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { ...(authorization && { authorization }), 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) })
      return { status: response.status, body: (await response.json()) as { data?: Record<string, unknown> | null } }
    },
  })
  const admin = () => callersBy(basic('admin', 'admin-password-1'))

  beforeAll(async () => {
    gw = await startTestGateway({ backends: [nativeBackendConfig(engine)], auth: { admin: { username: 'admin', password: 'admin-password-1' }, passwordHashCost: 12 } })
    url = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}`
    for (const caller of CALLERS.filter((name) => name !== 'anonymous' && name !== 'admin')) {
      expect((await admin().mlflow('POST', 'users/create', { username: `u-${caller}`, password: `${caller}-password-1` })).status).toBe(200)
    }
  })
  afterAll(() => gw.close())

  /** A fresh experiment and run for one caller and operation, with the caller's grant on the experiment. */
  async function fixtureFor(caller: Caller, operation: string): Promise<Fixture> {
    const experimentId = String((await admin().mlflow('POST', 'experiments/create', { name: `${caller}-${operation}-${Math.random()}` })).body.experiment_id)
    const runId = ((await admin().mlflow('POST', 'runs/create', { experiment_id: experimentId, run_name: 'subject' })).body.run as { info: { run_id: string } }).info.run_id
    if (caller !== 'anonymous' && caller !== 'admin' && caller !== 'no-grant') {
      const granted = await fetch(`${url}/api/3.0/mlflow/users/permissions/grant`, {
        method: 'POST',
        headers: { authorization: basic('admin', 'admin-password-1'), 'content-type': 'application/json' },
        body: JSON.stringify({ username: `u-${caller}`, resource_type: 'experiment', resource_id: experimentId, permission: caller }),
      })
      expect(granted.status).toBe(200)
    }
    return { experimentId, runId }
  }

  it('answers every operation for every caller as its level says, and refused writes write nothing', async () => {
    const outcomes: string[] = []
    const expected: string[] = []
    for (const operation of OPERATIONS) {
      for (const caller of CALLERS) {
        const fixture = await fixtureFor(caller, operation.name)
        const callers = caller === 'anonymous' ? callersBy(null) : caller === 'admin' ? admin() : callersBy(basic(`u-${caller}`, `${caller}-password-1`))
        const outcome = await operation.run(fixture, callers)
        const level = levelOf(caller)
        const graphql = operation.name.startsWith('GraphQL')
        const allowed = caller !== 'anonymous' && RANK[level] >= RANK[operation.needs]
        // Refusals: no identity 401; a record the caller may not read is missing (404, a null read); readable but not enough, 403.
        const refusal =
          caller === 'anonymous' ? '401' : RANK[level] < RANK.READ ? (graphql ? (operation.needs === 'READ' ? 'null' : 'NOT_FOUND') : '404 RESOURCE_DOES_NOT_EXIST') : graphql ? 'FORBIDDEN' : '403 PERMISSION_DENIED'
        outcomes.push(`${operation.name} as ${caller}: ${outcome}`)
        expected.push(`${operation.name} as ${caller}: ${allowed ? 'ok' : refusal}`)
        if (operation.wrote) expect(await operation.wrote(fixture, admin()), `${operation.name} as ${caller} wrote`).toBe(allowed)
      }
    }
    expect(outcomes).toEqual(expected)
  })
})
