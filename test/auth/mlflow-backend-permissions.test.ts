import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeMlflow, nativeBackendConfig } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'
import { mlflowApi } from '../support/mlflow-api.js'

/**
 * Permissions over an MLflow server: the visibility clause MLflow's grammar
 * cannot say is applied by the gateway (pages still full, unreadable runs
 * never shown), and writes through mlgate name the mlgate user in MLflow's record.
 */
describeMlflow('permissions on an MLflow backend', (mlflowUrl) => {
  let gw: TestGateway
  let url: string
  const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
  const admin = basic('admin', 'admin-password-1')
  const bo = basic('bo', 'bo-password-123')
  const graphql = async (query: string, authorization: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) })
    const body = (await response.json()) as { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] }
    if (body.errors) throw new Error(JSON.stringify(body.errors))
    return body.data as Record<string, unknown>
  }
  const upstream = mlflowApi(mlflowUrl)
  const experiments: Record<string, string> = {}

  beforeAll(async () => {
    gw = await startTestGateway({
      backends: [nativeBackendConfig('pglite'), { id: 'lab', kind: 'mlflow', url: mlflowUrl, readOnly: false }],
      auth: { admin: { username: 'admin', password: 'admin-password-1' }, passwordHashCost: 12 },
    })
    url = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}`
    const suffix = Date.now()
    for (const name of ['open', 'denied']) {
      experiments[name] = await upstream.createExperiment(`perm-${name}-${suffix}`)
      for (let index = 0; index < 3; index++) await upstream.createRun(experiments[name], { name: `${name}-${index}`, startTime: 1000 + index })
    }
    await graphql('mutation { createUser(input: { username: "bo", password: "bo-password-123" }) { username } }', admin)
    const grant = 'mutation ($g: GrantInput!) { grantPermission(username: "bo", grant: $g) { id } }'
    await graphql(grant, admin, { g: { resourceType: 'EXPERIMENT', backend: 'lab', resource: experiments.denied, permission: 'DENY' } })
    await graphql(grant, admin, { g: { resourceType: 'EXPERIMENT', backend: 'lab', resource: experiments.open, permission: 'EDIT' } })
  })
  afterAll(() => gw?.close())

  it('leaves out what the user may not read, page after page', async () => {
    const scope = [`Experiment:lab:${experiments.open}`, `Experiment:lab:${experiments.denied}`]
    const names: string[] = []
    let after: string | null = null
    for (;;) {
      const data = await graphql('query ($e: [ID!], $after: String) { runs(experimentIds: $e, first: 2, after: $after) { nodes { name } pageInfo { hasNextPage endCursor } } }', bo, { e: scope, after })
      const page = data.runs as { nodes: { name: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }
      names.push(...page.nodes.map((node) => node.name))
      if (!page.pageInfo.hasNextPage) break
      after = page.pageInfo.endCursor
    }
    expect(names.sort()).toEqual(['open-0', 'open-1', 'open-2'])
    const adminView = await graphql('query ($e: [ID!]) { runs(experimentIds: $e, first: 10) { nodes { name } } }', admin, { e: scope })
    expect((adminView.runs as { nodes: unknown[] }).nodes).toHaveLength(6)
    const hidden = await graphql('query ($id: ID!) { experiment(id: $id) { name } }', bo, { id: `Experiment:lab:${experiments.denied}` })
    expect(hidden.experiment).toBeNull()
  })

  it("records the mlgate user as the MLflow run's user", async () => {
    const data = await graphql('mutation ($e: ID!) { createRun(input: { experimentId: $e, name: "by-bo" }) { nativeId } }', bo, { e: `Experiment:lab:${experiments.open}` })
    const runId = (data.createRun as { nativeId: string }).nativeId
    const { run } = await upstream.get<{ run: { info: { user_id: string }; data: { tags?: { key: string; value: string }[] } } }>('runs/get', { run_id: runId })
    expect(run.info.user_id).toBe('bo')
    expect(run.data.tags?.find((tag) => tag.key === 'mlflow.user')?.value).toBe('bo')
  })
})
