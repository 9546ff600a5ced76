import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeMlflow, describeMoto, nativeBackendConfig } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'
import type { ConfigInput } from '../../src/config.js'

type BackendConfigInput = NonNullable<ConfigInput['backends']>[number]
import { sagemakerApi, sagemakerBackendConfig } from '../support/sagemaker-api.js'

/**
 * The permission matrix on records of an MLflow server and of SageMaker
 * (moto): every GraphQL operation those backends serve, tried by every kind
 * of caller on records of its own (grants on the experiment and the model
 * of that backend), asserting the answer, and that the backend itself holds
 * a write exactly when it was allowed (read from the backend's own API, not
 * through mlgate). The native store's matrix is permission-matrix.test.ts.
 */

const RANK: Record<string, number> = { DENY: -1, READ: 1, USE: 2, EDIT: 3, MANAGE: 4, ADMIN: 9 }
const CALLERS = ['anonymous', 'no-grant', 'READ', 'USE', 'EDIT', 'MANAGE', 'DENY', 'admin'] as const
type Caller = (typeof CALLERS)[number]
type GraphqlAnswer = { status: number; body: { data?: Record<string, unknown> | null; errors?: { message?: string; extensions?: { code?: string } }[] } }
type Call = (query: string, variables: Record<string, unknown>) => Promise<GraphqlAnswer>

interface Operation<F> {
  name: string
  needs: 'READ' | 'USE' | 'EDIT' | 'MANAGE'
  /** `backend`: creating in the backend (the callers' grants are on records; only admins hold USE on it). */
  on?: 'record' | 'backend'
  kind: 'read' | 'write'
  query: string
  variables(fixture: F): Record<string, unknown>
}

const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`

/** `ok`, `null` (a read answered as missing), or the refusal: an HTTP status or the error's code. */
function outcomeOf(answer: GraphqlAnswer): string {
  if (answer.status !== 200) return `${answer.status}`
  if (answer.body.errors?.length) return String(answer.body.errors[0].extensions?.code)
  return Object.values(answer.body.data ?? {}).some((value) => value === null) ? 'null' : 'ok'
}

function expectedOutcome(operation: Operation<unknown>, caller: Caller): string {
  const on = operation.on ?? 'record'
  const level = caller === 'admin' ? 'ADMIN' : on === 'record' && caller !== 'no-grant' ? caller : 'READ'
  if (caller === 'anonymous') return '401'
  if (RANK[level] >= RANK[operation.needs]) return 'ok'
  if (on === 'record' && RANK[level] < RANK.READ) return operation.kind === 'read' ? 'null' : 'NOT_FOUND'
  return 'FORBIDDEN'
}

/** Runs the table: for each operation and caller a fresh fixture (writes) or a shared one (reads); returns what happened and what should have. */
async function runMatrix<F>(options: {
  operations: Operation<F>[]
  fixtureFor(caller: Caller): Promise<F>
  /** The records as the backend itself holds them. */
  snapshot(fixture: F): Promise<string>
  callerOf(caller: Caller): Call
}): Promise<{ outcomes: string[]; expected: string[] }> {
  const outcomes: string[] = []
  const expected: string[] = []
  const shared = new Map<Caller, F>()
  for (const operation of options.operations) {
    for (const caller of CALLERS) {
      if (operation.kind === 'read' && !shared.has(caller)) shared.set(caller, await options.fixtureFor(caller))
      const fixture = operation.kind === 'read' ? (shared.get(caller) as F) : await options.fixtureFor(caller)
      const before = operation.kind === 'write' ? await options.snapshot(fixture) : null
      const outcome = outcomeOf(await options.callerOf(caller)(operation.query, operation.variables(fixture)))
      const should = expectedOutcome(operation as Operation<unknown>, caller)
      outcomes.push(`${operation.name} as ${caller}: ${outcome}`)
      expected.push(`${operation.name} as ${caller}: ${should}`)
      if (before !== null) {
        outcomes.push(`${operation.name} as ${caller}: ${(await options.snapshot(fixture)) === before ? 'wrote nothing' : 'wrote'}`)
        expected.push(`${operation.name} as ${caller}: ${should === 'ok' ? 'wrote' : 'wrote nothing'}`)
      }
    }
  }
  return { outcomes, expected }
}

/** A gateway with auth over `backend`, a user per kind of caller, and GraphQL as any of them. */
async function gatewayWithCallers(backend: BackendConfigInput) {
  const gw: TestGateway = await startTestGateway({
    backends: [nativeBackendConfig('pglite'), backend],
    auth: { admin: { username: 'admin', password: 'admin-password-1' }, passwordHashCost: 12 },
  })
  const url = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}`
  const callerOf =
    (caller: Caller): Call =>
    async (query, variables) => {
      const authorization = caller === 'anonymous' ? null : caller === 'admin' ? basic('admin', 'admin-password-1') : basic(`u-${caller}`, `${caller}-password-1`)
      const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { ...(authorization && { authorization }), 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) })
      return { status: response.status, body: (await response.json()) as GraphqlAnswer['body'] }
    }
  const admin = callerOf('admin')
  /** As the admin, failing on any error. */
  const asAdmin = async (query: string, variables: Record<string, unknown> = {}) => {
    const answer = await admin(query, variables)
    expect(answer.body.errors, query).toBeUndefined()
    return answer.body.data as Record<string, { id: string }>
  }
  for (const caller of CALLERS.filter((name) => name !== 'anonymous' && name !== 'admin')) {
    await asAdmin('mutation ($u: String!, $p: String!) { createUser(input: { username: $u, password: $p }) { username } }', { u: `u-${caller}`, p: `${caller}-password-1` })
  }
  /** The caller's grant on a record of the backend (none for the anonymous, the admin and the user without grants). */
  const grant = async (caller: Caller, resourceType: 'EXPERIMENT' | 'REGISTERED_MODEL', backendId: string, resource: string) => {
    if (caller === 'anonymous' || caller === 'admin' || caller === 'no-grant') return
    await asAdmin('mutation ($u: String!, $g: GrantInput!) { grantPermission(username: $u, grant: $g) { permission } }', {
      u: `u-${caller}`,
      g: { resourceType, backend: backendId, resource, permission: caller },
    })
  }
  return { gw, callerOf, asAdmin, grant }
}

interface MlflowFixture {
  experimentId: string
  runId: string
  model: string
}

describeMlflow('permission matrix on an MLflow backend', (mlflowUrl) => {
  let env: Awaited<ReturnType<typeof gatewayWithCallers>>
  beforeAll(async () => {
    env = await gatewayWithCallers({ id: 'lab', kind: 'mlflow', url: mlflowUrl, readOnly: false })
  })
  afterAll(() => env?.gw.close())

  const run = (f: MlflowFixture) => ({ id: `Run:lab:${f.runId}` })
  const version = (f: MlflowFixture) => ({ id: `ModelVersion:lab:${f.model}/1` })
  const model = (f: MlflowFixture) => ({ id: `RegisteredModel:lab:${f.model}` })
  const OPERATIONS: Operation<MlflowFixture>[] = [
    { name: 'run', needs: 'READ', kind: 'read', query: 'query ($id: ID!) { run(id: $id) { id } }', variables: run },
    { name: 'node', needs: 'READ', kind: 'read', query: 'query ($id: ID!) { node(id: $id) { id } }', variables: run },
    { name: 'experiment', needs: 'READ', kind: 'read', query: 'query ($id: ID!) { experiment(id: $id) { id } }', variables: (f) => ({ id: `Experiment:lab:${f.experimentId}` }) },
    { name: 'registeredModel', needs: 'READ', kind: 'read', query: 'query ($id: ID!) { registeredModel(id: $id) { id } }', variables: model },
    { name: 'modelVersion', needs: 'READ', kind: 'read', query: 'query ($id: ID!) { modelVersion(id: $id) { id } }', variables: version },
    { name: 'createExperiment', needs: 'USE', on: 'backend', kind: 'write', query: 'mutation ($n: String!) { createExperiment(input: { backend: "lab", name: $n }) { id } }', variables: (f) => ({ n: `new-${f.model}` }) },
    {
      name: 'createRegisteredModel',
      needs: 'USE',
      on: 'backend',
      kind: 'write',
      query: 'mutation ($n: String!) { createRegisteredModel(input: { backend: "lab", name: $n }) { id } }',
      variables: (f) => ({ n: `new-${f.model}` }),
    },
    { name: 'createRun', needs: 'EDIT', kind: 'write', query: 'mutation ($e: ID!) { createRun(input: { experimentId: $e }) { id } }', variables: (f) => ({ e: `Experiment:lab:${f.experimentId}` }) },
    { name: 'updateRun', needs: 'EDIT', kind: 'write', query: 'mutation ($id: ID!) { updateRun(input: { id: $id, name: "renamed" }) { id } }', variables: run },
    { name: 'logMetrics', needs: 'EDIT', kind: 'write', query: 'mutation ($id: ID!) { logMetrics(runId: $id, metrics: [{ key: "acc", value: 1 }]) { id } }', variables: run },
    { name: 'logParams', needs: 'EDIT', kind: 'write', query: 'mutation ($id: ID!) { logParams(runId: $id, params: [{ key: "batch", value: "32" }]) { id } }', variables: run },
    { name: 'setTags (run)', needs: 'EDIT', kind: 'write', query: 'mutation ($id: ID!) { setTags(id: $id, tags: [{ key: "touched", value: "yes" }]) { id } }', variables: run },
    {
      name: 'setTags (experiment)',
      needs: 'EDIT',
      kind: 'write',
      query: 'mutation ($id: ID!) { setTags(id: $id, tags: [{ key: "touched", value: "yes" }]) { id } }',
      variables: (f) => ({ id: `Experiment:lab:${f.experimentId}` }),
    },
    { name: 'deleteRun', needs: 'MANAGE', kind: 'write', query: 'mutation ($id: ID!) { deleteRun(id: $id) { id } }', variables: run },
    { name: 'setTags (model)', needs: 'EDIT', kind: 'write', query: 'mutation ($id: ID!) { setTags(id: $id, tags: [{ key: "touched", value: "yes" }]) { id } }', variables: model },
    { name: 'setTags (version)', needs: 'EDIT', kind: 'write', query: 'mutation ($id: ID!) { setTags(id: $id, tags: [{ key: "touched", value: "yes" }]) { id } }', variables: version },
    {
      name: 'createModelVersion',
      needs: 'EDIT',
      kind: 'write',
      query: 'mutation ($m: ID!, $r: String!) { createModelVersion(input: { modelId: $m, runId: $r, source: "s3://bucket/model" }) { id } }',
      variables: (f) => ({ m: model(f).id, r: f.runId }),
    },
    { name: 'transitionModelVersion (Staging)', needs: 'EDIT', kind: 'write', query: 'mutation ($id: ID!) { transitionModelVersion(id: $id, stage: STAGING) { id } }', variables: version },
    { name: 'transitionModelVersion (Production)', needs: 'MANAGE', kind: 'write', query: 'mutation ($id: ID!) { transitionModelVersion(id: $id, stage: PRODUCTION) { id } }', variables: version },
    {
      name: 'setModelAlias',
      needs: 'EDIT',
      kind: 'write',
      query: 'mutation ($m: ID!, $v: ID!) { setModelAlias(modelId: $m, alias: "challenger", versionId: $v) { id } }',
      variables: (f) => ({ m: model(f).id, v: version(f).id }),
    },
    { name: 'deleteModelAlias', needs: 'MANAGE', kind: 'write', query: 'mutation ($m: ID!) { deleteModelAlias(modelId: $m, alias: "champion") { id } }', variables: (f) => ({ m: model(f).id }) },
  ]

  /** Made through mlgate as the admin: an experiment with a run (a metric, a param, a tag), a model with version 1 aliased champion; the caller's grants on both. */
  async function fixtureFor(caller: Caller): Promise<MlflowFixture> {
    const name = `m-${unique()}`
    const experiment = (await env.asAdmin('mutation ($n: String!) { createExperiment(input: { backend: "lab", name: $n }) { id } }', { n: `exp-${name}` })).createExperiment.id
    const runGid = (await env.asAdmin('mutation ($e: ID!) { createRun(input: { experimentId: $e, name: "subject" }) { id } }', { e: experiment })).createRun.id
    await env.asAdmin('mutation ($r: ID!) { logMetrics(runId: $r, metrics: [{ key: "loss", value: 0.5 }]) { id } }', { r: runGid })
    const modelGid = (await env.asAdmin('mutation ($n: String!) { createRegisteredModel(input: { backend: "lab", name: $n }) { id } }', { n: name })).createRegisteredModel.id
    const runId = runGid.split(':')[2]
    const versionGid = (await env.asAdmin('mutation ($m: ID!, $r: String!) { createModelVersion(input: { modelId: $m, runId: $r, source: "s3://bucket/model" }) { id } }', { m: modelGid, r: runId })).createModelVersion.id
    await env.asAdmin('mutation ($m: ID!, $v: ID!) { setModelAlias(modelId: $m, alias: "champion", versionId: $v) { id } }', { m: modelGid, v: versionGid })
    const experimentId = experiment.split(':')[2]
    await env.grant(caller, 'EXPERIMENT', 'lab', experimentId)
    await env.grant(caller, 'REGISTERED_MODEL', 'lab', name)
    return { experimentId, runId, model: name }
  }

  /** What the MLflow server itself holds, asked directly. */
  async function snapshot(f: MlflowFixture): Promise<string> {
    const ask = async (method: 'GET' | 'POST', path: string, body: Record<string, unknown>) => {
      const target = new URL(`${mlflowUrl}/api/2.0/mlflow/${path}`)
      if (method === 'GET') for (const [key, value] of Object.entries(body)) target.searchParams.set(key, String(value))
      const response = await fetch(target, { method, headers: { 'content-type': 'application/json' }, body: method === 'GET' ? undefined : JSON.stringify(body) })
      return response.json()
    }
    const answers = await Promise.all([
      ask('GET', 'experiments/get', { experiment_id: f.experimentId }),
      ask('POST', 'runs/search', { experiment_ids: [f.experimentId], run_view_type: 'ALL' }),
      ask('GET', 'registered-models/get', { name: f.model }),
      ask('GET', 'model-versions/search', { filter: `name = '${f.model}'` }),
      // What the creates would make.
      ask('GET', 'experiments/get-by-name', { experiment_name: `new-${f.model}` }),
      ask('GET', 'registered-models/get', { name: `new-${f.model}` }),
    ])
    // When the server last touched a record is not a write's content (MLflow bumps it on reads of some records).
    return JSON.stringify(answers, (key, value: unknown) => (key === 'last_updated_timestamp' || key === 'last_update_time' ? undefined : value))
  }

  it('answers every operation for every caller as its level says, and the MLflow server holds a write exactly when allowed', { timeout: 600_000 }, async () => {
    const { outcomes, expected } = await runMatrix({ operations: OPERATIONS, fixtureFor, snapshot, callerOf: env.callerOf })
    expect(outcomes).toEqual(expected)
  })
})

interface PackageFixture {
  group: string
  arn: string
}

describeMoto('permission matrix on a SageMaker registry', (motoUrl) => {
  const api = sagemakerApi(motoUrl)
  let env: Awaited<ReturnType<typeof gatewayWithCallers>>
  beforeAll(async () => {
    env = await gatewayWithCallers(sagemakerBackendConfig(motoUrl, 'sm', { readOnly: false }))
  })
  afterAll(async () => {
    await env?.gw.close()
    api.close()
  })

  const version = (f: PackageFixture) => ({ id: `ModelVersion:sm:${f.arn}` })
  const OPERATIONS: Operation<PackageFixture>[] = [
    { name: 'registeredModel', needs: 'READ', kind: 'read', query: 'query ($id: ID!) { registeredModel(id: $id) { id } }', variables: (f) => ({ id: `RegisteredModel:sm:${f.group}` }) },
    { name: 'modelVersion', needs: 'READ', kind: 'read', query: 'query ($id: ID!) { modelVersion(id: $id) { id } }', variables: version },
    { name: 'setModelVersionApproval (Approved)', needs: 'MANAGE', kind: 'write', query: 'mutation ($id: ID!) { setModelVersionApproval(id: $id, status: APPROVED) { id } }', variables: version },
    { name: 'setModelVersionApproval (Rejected)', needs: 'MANAGE', kind: 'write', query: 'mutation ($id: ID!) { setModelVersionApproval(id: $id, status: REJECTED) { id } }', variables: version },
  ]

  /** A package group with one package pending approval, made at SageMaker; the caller's grant on the group. */
  async function fixtureFor(caller: Caller): Promise<PackageFixture> {
    const group = `g-${unique()}`
    await api.createGroup(group)
    const arn = await api.createPackage(group)
    await env.grant(caller, 'REGISTERED_MODEL', 'sm', group)
    return { group, arn }
  }

  const snapshot = async (f: PackageFixture) => {
    const described = await api.describePackage(f.arn)
    return JSON.stringify({ approval: described.ModelApprovalStatus, description: described.ModelPackageDescription })
  }

  it('answers every operation for every caller as its level says, and SageMaker holds an approval exactly when allowed', { timeout: 600_000 }, async () => {
    const { outcomes, expected } = await runMatrix({ operations: OPERATIONS, fixtureFor, snapshot, callerOf: env.callerOf })
    expect(outcomes).toEqual(expected)
  })
})
