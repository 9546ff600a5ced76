import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEachEngine, nativeBackendConfig } from '../support/engines.js'
import { startTestGateway } from '../support/gateway.js'

/**
 * What each user may do, enforced at the federation door for GraphQL and
 * the MLflow API alike: MLflow's levels and its DENY, grants to a user and
 * to their roles, the default permission; unreadable records answered as
 * missing and left out of lists (their totals too), refused writes writing nothing.
 */

const ADMIN_PASSWORD = 'admin-password-1'
const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
const admin = basic('admin', ADMIN_PASSWORD)

async function startSecured(engine: 'pglite' | 'postgres', defaultPermission: 'READ' | 'NO_PERMISSIONS') {
  const gw = await startTestGateway({ backends: [nativeBackendConfig(engine)], auth: { admin: { username: 'admin', password: ADMIN_PASSWORD }, passwordHashCost: 12, defaultPermission } })
  const url = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}`
  const mlflow = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, authorization: string, body?: Record<string, unknown>, version = '2.0') => {
    const target = new URL(`${url}/api/${version}/mlflow/${path}`)
    if (method === 'GET' && body) for (const [key, value] of Object.entries(body)) for (const item of Array.isArray(value) ? value : [value]) target.searchParams.append(key, String(item))
    const response = await fetch(target, { method, headers: { authorization, 'content-type': 'application/json' }, body: method === 'GET' || !body ? undefined : JSON.stringify(body) })
    return { status: response.status, body: (await response.json()) as Record<string, unknown> & { error_code?: string; message?: string } }
  }
  const graphql = async (query: string, authorization: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) })
    return (await response.json()) as { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] }
  }
  /** An experiment with `runs` runs, made by the admin; its id and its runs' ids. */
  const experiment = async (name: string, runs: number) => {
    const { body } = await mlflow('POST', 'experiments/create', admin, { name })
    const id = String(body.experiment_id)
    const runIds: string[] = []
    for (let index = 0; index < runs; index++) {
      const created = await mlflow('POST', 'runs/create', admin, { experiment_id: id, run_name: `${name}-${index}`, start_time: 1000 + index })
      runIds.push((created.body.run as { info: { run_id: string } }).info.run_id)
    }
    return { id, runIds }
  }
  const user = async (username: string) => {
    await mlflow('POST', 'users/create', admin, { username, password: `${username}-password-1` })
    return basic(username, `${username}-password-1`)
  }
  return { gw, mlflow, graphql, experiment, user }
}

describeEachEngine('permissions, default READ', (engine) => {
  let env: Awaited<ReturnType<typeof startSecured>>
  let a: { id: string; runIds: string[] }, b: { id: string; runIds: string[] }, c: { id: string; runIds: string[] }
  let ana: string, bo: string

  beforeAll(async () => {
    env = await startSecured(engine, 'READ')
    a = await env.experiment('alpha', 2)
    b = await env.experiment('beta', 2)
    c = await env.experiment('gamma', 2)
    ana = await env.user('ana')
    bo = await env.user('bo')
    // bo: EDIT on alpha, DENY on beta (through MLflow's grant endpoint); MANAGE on gamma through a role (GraphQL).
    expect((await env.mlflow('POST', 'users/permissions/grant', admin, { username: 'bo', resource_type: 'experiment', resource_id: a.id, permission: 'EDIT' }, '3.0')).status).toBe(200)
    expect((await env.mlflow('POST', 'users/permissions/grant', admin, { username: 'bo', resource_type: 'experiment', resource_id: b.id, permission: 'DENY' }, '3.0')).status).toBe(200)
    const role = await env.graphql('mutation ($g: [GrantInput!]) { createRole(name: "gamma-owners", grants: $g) { id permissions { resourcePattern permission } } }', admin, {
      g: [{ resourceType: 'EXPERIMENT', backend: 'local', resource: c.id, permission: 'MANAGE' }],
    })
    const roleId = (role.data?.createRole as { id: string }).id
    expect((await env.graphql('mutation ($r: ID!) { assignRole(username: "bo", roleId: $r) }', admin, { r: roleId })).data).toEqual({ assignRole: true })
  })
  afterAll(() => env.gw.close())

  const runNames = (body: Record<string, unknown>) => ((body.runs ?? []) as { info: { run_name: string } }[]).map((run) => run.info.run_name).sort()

  it('lets a user without grants read everything (the default) and change nothing', async () => {
    const search = await env.mlflow('POST', 'runs/search', ana, { experiment_ids: [a.id, b.id, c.id] })
    expect(runNames(search.body)).toEqual(['alpha-0', 'alpha-1', 'beta-0', 'beta-1', 'gamma-0', 'gamma-1'])
    const refused = await env.mlflow('POST', 'runs/log-metric', ana, { run_id: a.runIds[0], key: 'loss', value: 1, timestamp: 1, step: 0 })
    expect(refused).toMatchObject({ status: 403, body: { error_code: 'PERMISSION_DENIED' } })
    expect((await env.mlflow('POST', 'experiments/create', ana, { name: 'not-mine' })).body.error_code).toBe('PERMISSION_DENIED')
    const graphqlWrite = await env.graphql('mutation ($r: ID!) { logMetrics(runId: $r, metrics: [{ key: "loss", value: 1 }]) { id } }', ana, { r: `Run:local:${a.runIds[0]}` })
    expect(graphqlWrite.errors?.[0].extensions?.code).toBe('FORBIDDEN')
    // Nothing was written.
    const run = await env.mlflow('GET', 'runs/get', admin, { run_id: a.runIds[0] })
    expect((run.body.run as { data: { metrics?: unknown[] } }).data.metrics).toBeUndefined()
  })

  it('lets grants raise and DENY hide: a hidden record is answered as missing, and left out of lists', async () => {
    expect((await env.mlflow('POST', 'runs/log-metric', bo, { run_id: a.runIds[0], key: 'loss', value: 0.5, timestamp: 1, step: 0 })).status).toBe(200)
    // EDIT is not MANAGE: no deleting alpha's runs; through the role, gamma's yes.
    expect((await env.mlflow('POST', 'runs/delete', bo, { run_id: a.runIds[1] })).body.error_code).toBe('PERMISSION_DENIED')
    expect((await env.mlflow('POST', 'runs/delete', bo, { run_id: c.runIds[1] })).status).toBe(200)

    const search = await env.mlflow('POST', 'runs/search', bo, { experiment_ids: [a.id, b.id, c.id] })
    expect(runNames(search.body)).toEqual(['alpha-0', 'alpha-1', 'gamma-0'])
    const experiments = await env.mlflow('POST', 'experiments/search', bo, { max_results: 100 })
    expect(((experiments.body.experiments ?? []) as { name: string }[]).map((experiment) => experiment.name).sort()).toEqual(['Default', 'alpha', 'gamma'])
    // Hidden and missing read the same.
    const hidden = await env.mlflow('GET', 'runs/get', bo, { run_id: b.runIds[0] })
    const missing = await env.mlflow('GET', 'runs/get', bo, { run_id: 'f'.repeat(32) })
    expect(hidden.status).toBe(404)
    expect(hidden.body.message?.replace(b.runIds[0], '<id>')).toBe(missing.body.message?.replace('f'.repeat(32), '<id>'))
    expect((await env.mlflow('GET', 'experiments/get', bo, { experiment_id: b.id })).status).toBe(404)
    expect((await env.mlflow('POST', 'runs/log-metric', bo, { run_id: b.runIds[0], key: 'loss', value: 1, timestamp: 1, step: 0 })).status).toBe(404)

    // GraphQL: the same, with totals counting only what bo may read.
    const listed = await env.graphql('{ runs(first: 2) { totalCount edges { node { name } } pageInfo { hasNextPage endCursor } } experiments { totalCount } }', bo)
    expect(listed.data).toMatchObject({ runs: { totalCount: 3 }, experiments: { totalCount: 3 } })
    expect((await env.graphql('query ($id: ID!) { run(id: $id) { name } }', bo, { id: `Run:local:${b.runIds[0]}` })).data).toEqual({ run: null })
    // Admins see everything (but gamma-1, which bo deleted).
    expect((await env.graphql('{ runs { totalCount } }', admin)).data).toEqual({ runs: { totalCount: 5 } })
  })

  it('guards the registry the same way: DENY hides a model, EDIT versions it, Production needs MANAGE', async () => {
    for (const name of ['m-edit', 'm-hidden', 'm-open']) {
      expect((await env.mlflow('POST', 'registered-models/create', admin, { name })).status).toBe(200)
      expect((await env.mlflow('POST', 'model-versions/create', admin, { name, source: 's3://bucket/models/x' })).status).toBe(200)
    }
    await env.mlflow('POST', 'users/permissions/grant', admin, { username: 'bo', resource_type: 'registered_model', resource_id: 'm-edit', permission: 'EDIT' }, '3.0')
    await env.mlflow('POST', 'users/permissions/grant', admin, { username: 'bo', resource_type: 'registered_model', resource_id: 'm-hidden', permission: 'DENY' }, '3.0')

    const models = await env.mlflow('GET', 'registered-models/search', bo, { max_results: 100 })
    expect(((models.body.registered_models ?? []) as { name: string }[]).map((model) => model.name).sort()).toEqual(['m-edit', 'm-open'])
    const versions = await env.mlflow('GET', 'model-versions/search', bo, { max_results: 100 })
    expect(((versions.body.model_versions ?? []) as { name: string }[]).map((version) => version.name).sort()).toEqual(['m-edit', 'm-open'])
    expect((await env.mlflow('GET', 'registered-models/get', bo, { name: 'm-hidden' })).status).toBe(404)
    expect((await env.mlflow('GET', 'model-versions/get', bo, { name: 'm-hidden', version: '1' })).status).toBe(404)

    expect((await env.mlflow('POST', 'model-versions/create', bo, { name: 'm-edit', source: 's3://bucket/models/y' })).status).toBe(200)
    expect((await env.mlflow('POST', 'model-versions/create', bo, { name: 'm-open', source: 's3://bucket/models/y' })).body.error_code).toBe('PERMISSION_DENIED')
    const transition = (stage: string) => env.mlflow('POST', 'model-versions/transition-stage', bo, { name: 'm-edit', version: '1', stage, archive_existing_versions: false })
    expect((await transition('Staging')).status).toBe(200)
    expect((await transition('Production')).body.error_code).toBe('PERMISSION_DENIED')
    const version = await env.mlflow('GET', 'model-versions/get', admin, { name: 'm-edit', version: '1' })
    expect((version.body.model_version as { current_stage: string }).current_stage).toBe('Staging')
    const graphql = await env.graphql('{ registeredModels { totalCount } }', bo)
    expect(graphql.data).toEqual({ registeredModels: { totalCount: 2 } })
    // A model bo creates is bo's to manage.
    expect((await env.mlflow('POST', 'users/permissions/grant', admin, { username: 'bo', resource_type: 'backend', resource_id: 'local', permission: 'USE' }, '3.0')).status).toBe(200)
    expect((await env.mlflow('POST', 'registered-models/create', bo, { name: 'm-bo' })).status).toBe(200)
    expect((await env.mlflow('DELETE', 'registered-models/delete', bo, { name: 'm-bo' })).status).toBe(200)
    // Its grants go with it: a later model of that name is not bo's (MLflow sweeps them too).
    const rows = await env.mlflow('GET', 'users/permissions/list', admin, { username: 'bo' }, '3.0')
    expect((rows.body.permissions as { resource_pattern: string }[]).map((row) => row.resource_pattern)).not.toContain('m-bo')
    await env.mlflow('POST', 'users/permissions/revoke', admin, { username: 'bo', resource_type: 'backend', resource_id: 'local' }, '3.0')
    // A renamed model keeps its grants: the DENY does not fall off with the old name.
    expect((await env.mlflow('POST', 'registered-models/rename', admin, { name: 'm-hidden', new_name: 'm-hidden-renamed' })).status).toBe(200)
    expect((await env.mlflow('GET', 'registered-models/get', bo, { name: 'm-hidden-renamed' })).status).toBe(404)
    expect((await env.mlflow('GET', 'registered-models/get', ana, { name: 'm-hidden-renamed' })).status).toBe(200)
  })

  it('shows a record the user may not read as a FORBIDDEN reference in lineage, naming nothing', async () => {
    await env.mlflow('POST', 'registered-models/create', admin, { name: 'lineage-model' })
    await env.mlflow('POST', 'model-versions/create', admin, { name: 'lineage-model', source: 's3://bucket/models/l', run_id: b.runIds[0] })
    const versions = await env.graphql('{ modelVersions(filter: { modelName: { value: "lineage-model" } }) { nodes { id } } }', bo)
    const versionId = (versions.data?.modelVersions as { nodes: { id: string }[] }).nodes[0].id
    const query = 'query ($id: ID!) { lineage(id: $id, direction: UPSTREAM) { nodes { id __typename ... on UnresolvedRef { uri reason } ... on Run { name } } edges { from to kind } } }'
    const seen = await env.graphql(query, bo, { id: versionId })
    const graph = seen.data?.lineage as { nodes: { id: string; __typename: string; uri?: string; reason?: string }[]; edges: { kind: string }[] }
    const forbidden = graph.nodes.filter((node) => node.__typename === 'UnresolvedRef')
    expect(forbidden.map((node) => node.reason)).toEqual(['FORBIDDEN'])
    expect(JSON.stringify(graph)).not.toContain(b.runIds[0])
    expect(JSON.stringify(graph)).not.toContain('beta')
    expect(graph.edges.map((edge) => edge.kind)).toContain('PRODUCED_BY')
    // The admin sees the run itself.
    const adminGraph = (await env.graphql(query, admin, { id: versionId })).data?.lineage as { nodes: { __typename: string; name?: string }[] }
    expect(adminGraph.nodes.filter((node) => node.__typename === 'Run').map((node) => node.name)).toEqual(['beta-0'])
  })

  it("answers MLflow's permission lookups as the checks resolve them", async () => {
    const level = async (username: string, id: string) => (await env.mlflow('GET', 'users/permissions/get', admin, { username, resource_type: 'experiment', resource_id: id }, '3.0')).body
    expect(await level('bo', a.id)).toEqual({ allowed: true, permission: 'EDIT' })
    expect(await level('bo', b.id)).toEqual({ allowed: false, permission: 'DENY' })
    expect(await level('bo', c.id)).toEqual({ allowed: true, permission: 'MANAGE' })
    expect(await level('ana', a.id)).toEqual({ allowed: false, permission: 'READ' })
    const listed = await env.mlflow('GET', 'users/permissions/list', admin, { username: 'bo' }, '3.0')
    const experimentRows = (listed.body.permissions as { resource_type: string; resource_pattern: string; permission: string }[]).filter((row) => row.resource_type === 'experiment')
    expect(experimentRows.map((row) => `${row.resource_pattern}:${row.permission}`).sort()).toEqual(
      [`${a.id}:EDIT`, `${b.id}:DENY`, `${c.id}:MANAGE`].sort(),
    )
    // Not for users to look at others'.
    expect((await env.mlflow('GET', 'users/permissions/list', ana, { username: 'bo' }, '3.0')).status).toBe(403)
    expect((await env.mlflow('POST', 'users/permissions/grant', bo, { username: 'bo', resource_type: 'experiment', resource_id: b.id, permission: 'MANAGE' }, '3.0')).status).toBe(403)
  })
})

describeEachEngine('permissions, default NO_PERMISSIONS', (engine) => {
  let env: Awaited<ReturnType<typeof startSecured>>
  const experiments: { id: string; runIds: string[] }[] = []

  beforeAll(async () => {
    env = await startSecured(engine, 'NO_PERMISSIONS')
    for (const [index, runs] of [3, 4, 2, 5].entries()) experiments.push(await env.experiment(`e${index}`, runs))
    await env.user('cy')
    for (const index of [1, 3]) {
      await env.mlflow('POST', 'users/permissions/grant', admin, { username: 'cy', resource_type: 'experiment', resource_id: experiments[index].id, permission: 'READ' }, '3.0')
    }
  })
  afterAll(() => env.gw.close())

  it('shows only what is granted, paged full and in order at every page size, with its total', async () => {
    const cy = basic('cy', 'cy-password-1')
    const everything = await env.graphql('{ runs(first: 100) { edges { node { id name } } } }', admin)
    const expected = ((everything.data?.runs as { edges: { node: { id: string; name: string } }[] }).edges).map((edge) => edge.node.name).filter((name) => name.startsWith('e1-') || name.startsWith('e3-'))
    expect(expected).toHaveLength(9)
    for (const size of [1, 2, 4, 7, 100]) {
      const seen: string[] = []
      let after: string | null = null
      for (;;) {
        const page = await env.graphql('query ($first: Int, $after: String) { runs(first: $first, after: $after) { totalCount edges { node { name } } pageInfo { hasNextPage endCursor } } }', cy, { first: size, after })
        const runs = page.data?.runs as { totalCount: number; edges: { node: { name: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }
        expect(runs.totalCount).toBe(9)
        if (runs.pageInfo.hasNextPage) expect(runs.edges).toHaveLength(size)
        seen.push(...runs.edges.map((edge) => edge.node.name))
        if (!runs.pageInfo.hasNextPage) break
        after = runs.pageInfo.endCursor
      }
      expect(seen, `page size ${size}`).toEqual(expected)
    }
    const search = await env.mlflow('POST', 'experiments/search', cy, { max_results: 100 })
    expect(((search.body.experiments ?? []) as { name: string }[]).map((experiment) => experiment.name).sort()).toEqual(['e1', 'e3'])
    // Reading is not using: no run in a READ experiment.
    expect((await env.mlflow('POST', 'runs/create', cy, { experiment_id: experiments[1].id })).status).toBe(403)
  })
})
