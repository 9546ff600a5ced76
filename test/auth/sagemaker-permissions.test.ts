import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeMoto, nativeBackendConfig } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'
import { sagemakerApi, sagemakerBackendConfig } from '../support/sagemaker-api.js'

/**
 * Permissions over SageMaker Model Registry (moto): a package group is a
 * registered model; approving a package (what is deployed) needs MANAGE,
 * with the gateway's AWS credentials used only for callers who have it;
 * a group the caller may not read is left out of lists and reads as missing.
 */
describeMoto('permissions on a SageMaker registry', (motoUrl) => {
  const api = sagemakerApi(motoUrl)
  const prefix = `perm-${Math.random().toString(36).slice(2, 8)}`
  let gw: TestGateway
  let url: string
  const arns: Record<string, string> = {}
  const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
  const admin = basic('admin', 'admin-password-1')
  const graphql = async (query: string, authorization: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) })
    return (await response.json()) as { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] }
  }

  beforeAll(async () => {
    for (const name of ['editable', 'managed', 'hidden']) {
      await api.createGroup(`${prefix}-${name}`)
      arns[name] = await api.createPackage(`${prefix}-${name}`)
    }
    gw = await startTestGateway({
      backends: [nativeBackendConfig('pglite'), sagemakerBackendConfig(motoUrl, 'sm', { readOnly: false })],
      auth: { admin: { username: 'admin', password: 'admin-password-1' }, passwordHashCost: 12 },
    })
    url = `http://127.0.0.1:${await gw.gateway.listen(0, '127.0.0.1')}`
    await graphql('mutation { createUser(input: { username: "ops", password: "ops-password-12" }) { username } }', admin)
    const grant = 'mutation ($g: GrantInput!) { grantPermission(username: "ops", grant: $g) { id } }'
    for (const [name, permission] of [['editable', 'EDIT'], ['managed', 'MANAGE'], ['hidden', 'DENY']] as const) {
      const granted = await graphql(grant, admin, { g: { resourceType: 'REGISTERED_MODEL', backend: 'sm', resource: `${prefix}-${name}`, permission } })
      expect(granted.errors).toBeUndefined()
    }
  })
  afterAll(async () => {
    await gw?.close()
    api.close()
  })

  const approve = (arn: string) =>
    graphql('mutation ($id: ID!) { setModelVersionApproval(id: $id, status: APPROVED) { approvalStatus } }', basic('ops', 'ops-password-12'), { id: `ModelVersion:sm:${arn}` })

  it('approves a package only with MANAGE on its group, and changes nothing at SageMaker otherwise', async () => {
    expect((await approve(arns.editable)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN')
    expect((await api.describePackage(arns.editable)).ModelApprovalStatus).toBe('PendingManualApproval')
    expect((await approve(arns.managed)).data).toEqual({ setModelVersionApproval: { approvalStatus: 'APPROVED' } })
    expect((await api.describePackage(arns.managed)).ModelApprovalStatus).toBe('Approved')
    expect((await approve(arns.hidden)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND')
    expect((await api.describePackage(arns.hidden)).ModelApprovalStatus).toBe('PendingManualApproval')
  })

  it('leaves out the group the user may not read', async () => {
    const list = await graphql('query ($f: RegisteredModelFilter) { registeredModels(backends: ["sm"], filter: $f) { nodes { name } } }', basic('ops', 'ops-password-12'), {
      f: { name: { op: 'LIKE', value: `${prefix}-%` } },
    })
    expect((list.data?.registeredModels as { nodes: { name: string }[] }).nodes.map((node) => node.name)).toEqual([`${prefix}-editable`, `${prefix}-managed`])
    const hidden = await graphql('query ($id: ID!) { registeredModel(id: $id) { name } }', basic('ops', 'ops-password-12'), { id: `RegisteredModel:sm:${prefix}-hidden` })
    expect(hidden.data).toEqual({ registeredModel: null })
  })
})
