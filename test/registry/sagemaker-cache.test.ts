import { afterAll, beforeAll, expect, it } from 'vitest'
import { ModelVersionDocument, ModelVersionsDocument, SetModelVersionApprovalDocument } from '../generated/graphql.js'
import { describeMoto } from '../support/engines.js'
import { type TestGateway, startTestGateway } from '../support/gateway.js'
import { type HttpProxy, startHttpProxy } from '../support/http-proxy.js'
import { sagemakerApi, sagemakerBackendConfig } from '../support/sagemaker-api.js'

/** SageMaker reads reused across requests with `cacheTtlMs`, counted at a proxy in front of moto; a write empties the cache. */
describeMoto('SageMaker read cache', (motoUrl) => {
  const api = sagemakerApi(motoUrl)
  const group = `cache-${Math.random().toString(36).slice(2, 8)}`
  let proxy: HttpProxy
  let gw: TestGateway
  let arn: string

  beforeAll(async () => {
    await api.createGroup(group)
    arn = await api.createPackage(group)
    await api.createPackage(group)
    proxy = await startHttpProxy(motoUrl)
    gw = await startTestGateway({ backends: [{ ...sagemakerBackendConfig(proxy.url, 'sm', { readOnly: false }), cacheTtlMs: 60_000 }] })
  })
  afterAll(async () => {
    await gw?.close()
    await proxy?.close()
    api.close()
  })

  it('answers a repeated query from the cache, and reads again after a write through mlgate', async () => {
    const list = () => gw.data(ModelVersionsDocument, { modelIds: [`RegisteredModel:sm:${group}`] })
    const first = await list()
    const calls = proxy.requests.length
    expect(calls).toBeGreaterThan(0)
    expect(await list()).toEqual(first)
    expect(proxy.requests.length).toBe(calls)

    await gw.data(SetModelVersionApprovalDocument, { id: `ModelVersion:sm:${arn}`, status: 'APPROVED' })
    expect((await gw.data(ModelVersionDocument, { id: `ModelVersion:sm:${arn}` })).modelVersion).toMatchObject({ approvalStatus: 'APPROVED' })
    const afterWrite = proxy.requests.length
    // The write emptied the cache: the list is read again, and shows the change.
    expect((await list()).modelVersions.edges.map((edge) => edge.node.approvalStatus)).toEqual(['PENDING_MANUAL_APPROVAL', 'APPROVED'])
    expect(proxy.requests.length).toBeGreaterThan(afterWrite)
  })
})
