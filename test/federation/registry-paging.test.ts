import type { ResultOf } from '@graphql-typed-document-node/core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  CreateModelVersionDocument,
  CreateRegisteredModelDocument,
  type ModelVersionFilter,
  ModelVersionsDocument,
  type Promotion,
  TransitionModelVersionDocument,
} from '../generated/graphql.js'
import { matchString, random } from '../support/brute-force.js'
import { describeMlflow, describeMoto } from '../support/engines.js'
import { type GraphQLResponse, type TestGateway, startTestGateway } from '../support/gateway.js'
import { mlflowApi } from '../support/mlflow-api.js'
import { sagemakerApi, sagemakerBackendConfig } from '../support/sagemaker-api.js'

/**
 * Over a thousand model versions spread over the native registry, a real
 * MLflow server and moto's SageMaker, under the same model names: paging
 * the merged list to the end, at several page sizes, with random filters
 * (some pushed down, some left to the gateway) on every mix of backends,
 * gives exactly what sorting and filtering the union by brute force gives.
 */
describeMlflow('merged model-version paging across three backends', (mlflowUrl) => {
  describeMoto('with SageMaker', (motoUrl) => {
    const prefix = `pg3-${Math.random().toString(36).slice(2, 8)}`
    const names = Array.from({ length: 10 }, (_, i) => `${prefix}-m${i}`)
    const perBackend = { local: 40, ml: 40, sm: 30 } as const
    interface SeededVersion {
      id: string
      backend: 'local' | 'ml' | 'sm'
      name: string
      version: number
      promotion: Promotion
      stage: string | null
      approval: string | null
      tier: string
    }
    const versions: SeededVersion[] = []
    const tiers = ['gold', 'silver', 'Bronze']
    const mlflow = mlflowApi(mlflowUrl)
    const sagemaker = sagemakerApi(motoUrl)
    let gw: TestGateway

    beforeAll(async () => {
      gw = await startTestGateway({
        backends: [{ id: 'local', kind: 'native', dataDir: 'memory://' }, { id: 'ml', kind: 'mlflow', url: mlflowUrl }, sagemakerBackendConfig(motoUrl, 'sm')],
      })
      const next = random(4242)
      const stages = ['NONE', 'STAGING', 'PRODUCTION', 'ARCHIVED'] as const
      const promotionOfStage = { NONE: 'NONE', STAGING: 'CANDIDATE', PRODUCTION: 'PRODUCTION', ARCHIVED: 'RETIRED' } as const
      const approvals = [
        ['PendingManualApproval', 'CANDIDATE'],
        ['Approved', 'PRODUCTION'],
        ['Rejected', 'RETIRED'],
      ] as const
      await Promise.all([
        (async () => {
          for (const name of names) {
            const model = (await gw.data(CreateRegisteredModelDocument, { input: { name } })).createRegisteredModel
            for (let v = 1; v <= perBackend.local; v += 1) {
              const tier = tiers[v % 3]
              const input = { modelId: model.id, source: 's3://bucket/native/model', tags: [{ key: 'tier', value: tier }] }
              const created = (await gw.data(CreateModelVersionDocument, { input })).createModelVersion
              const stage = stages[Math.floor(next() * 4)]
              if (stage !== 'NONE') await gw.data(TransitionModelVersionDocument, { id: created.id, stage })
              versions.push({ id: created.id, backend: 'local', name, version: v, promotion: promotionOfStage[stage], stage, approval: null, tier })
            }
          }
        })(),
        (async () => {
          for (const name of names) {
            await mlflow.post('registered-models/create', { name })
            for (let v = 1; v <= perBackend.ml; v += 1) {
              const tier = tiers[(v + 1) % 3]
              await mlflow.post('model-versions/create', { name, source: 's3://bucket/mlflow/model', tags: [{ key: 'tier', value: tier }] })
              const stage = stages[(v * 7 + name.length) % 4]
              if (stage !== 'NONE') {
                const wire = { STAGING: 'Staging', PRODUCTION: 'Production', ARCHIVED: 'Archived' }[stage]
                await mlflow.post('model-versions/transition-stage', { name, version: String(v), stage: wire, archive_existing_versions: false })
              }
              versions.push({ id: `ModelVersion:ml:${name}/${v}`, backend: 'ml', name, version: v, promotion: promotionOfStage[stage], stage, approval: null, tier })
            }
          }
        })(),
        (async () => {
          for (const name of names) {
            await sagemaker.createGroup(name)
            for (let v = 1; v <= perBackend.sm; v += 1) {
              const [wire, promotion] = approvals[(v * 5 + name.length) % 3]
              const tier = tiers[(v + 2) % 3]
              const arn = await sagemaker.createPackage(name, { approval: wire, properties: { tier } })
              const approval = { PendingManualApproval: 'PENDING_MANUAL_APPROVAL', Approved: 'APPROVED', Rejected: 'REJECTED' }[wire]
              versions.push({ id: `ModelVersion:sm:${arn}`, backend: 'sm', name, version: v, promotion, stage: null, approval, tier })
            }
          }
        })(),
      ])
    }, 600_000)
    afterAll(async () => {
      await gw?.close()
      sagemaker.close()
    })

    /** The gateway's order, written out independently: name, newest version, then global id. */
    const bruteForce = (keep: (version: (typeof versions)[number]) => boolean) =>
      versions
        .filter(keep)
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : b.version - a.version || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)))
        .map((version) => version.id)

    async function pageAll(filter: ModelVersionFilter, first: number, backends?: string[]): Promise<string[]> {
      const ids: string[] = []
      let after: string | null = null
      for (let guard = 0; guard < 2000; guard += 1) {
        const result: GraphQLResponse<ResultOf<typeof ModelVersionsDocument>> = await gw.request(ModelVersionsDocument, { filter, first, after, backends })
        expect(result.errors).toBeUndefined()
        const page = result.data!.modelVersions
        ids.push(...page.edges.map((edge) => edge.node.id))
        if (!page.pageInfo.hasNextPage) return ids
        after = page.pageInfo.endCursor ?? null
      }
      throw new Error('paging did not end')
    }

    const ours: ModelVersionFilter = { modelName: { op: 'LIKE', value: `${prefix}-%` } }

    it.each([1000, 250, 97])('pages the whole union at page size %i, each version once, in order', async (first) => {
      const paged = await pageAll(ours, first)
      expect(paged.length).toBeGreaterThanOrEqual(1000)
      expect(paged).toEqual(bruteForce(() => true))
    })

    it.each([
      ['PRODUCTION'] as Promotion[],
      ['CANDIDATE', 'RETIRED'] as Promotion[],
    ])('pages the versions promoted to %s, filtered in three different places, at page size 61', async (...promotion) => {
      expect(await pageAll({ ...ours, promotion }, 61)).toEqual(bruteForce((version) => promotion.includes(version.promotion)))
    })

    it('pages one model name on every backend at page size 13', async () => {
      const name = names[3]
      expect(await pageAll({ modelName: { value: name } }, 13)).toEqual(bruteForce((version) => version.name === name))
    })

    it('answers 30 random filters on every mix of backends as brute force does', async () => {
      const next = random(9001)
      const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]
      const subset = <T>(items: readonly T[]): T[] => {
        const chosen = items.filter(() => next() < 0.5)
        return chosen.length > 0 ? chosen : [pick(items)]
      }
      const mixes = [['local'], ['ml'], ['sm'], ['local', 'ml'], ['ml', 'sm'], ['local', 'sm'], ['local', 'ml', 'sm']]
      for (let round = 0; round < 30; round += 1) {
        const filter: ModelVersionFilter = {}
        const checks: ((version: SeededVersion) => boolean)[] = []
        if (next() < 0.5) {
          const promotion = subset(['NONE', 'CANDIDATE', 'PRODUCTION', 'RETIRED'] as const)
          filter.promotion = promotion
          checks.push((version) => promotion.includes(version.promotion))
        }
        if (next() < 0.2) {
          const stage = subset(['NONE', 'STAGING', 'PRODUCTION', 'ARCHIVED'] as const)
          filter.stage = stage
          checks.push((version) => version.stage !== null && (stage as readonly string[]).includes(version.stage))
        }
        if (next() < 0.2) {
          const approvalStatus = subset(['PENDING_MANUAL_APPROVAL', 'APPROVED', 'REJECTED'] as const)
          filter.approvalStatus = approvalStatus
          checks.push((version) => version.approval !== null && (approvalStatus as readonly string[]).includes(version.approval))
        }
        const name = pick([
          { op: 'EQ', value: pick(names) },
          { op: 'NEQ', value: pick(names) },
          { op: 'LIKE', value: `${prefix}-m${pick(['1', '2', '_'])}%` },
          { op: 'ILIKE', value: `${prefix.toUpperCase()}-M%` },
        ] as const)
        filter.modelName = name
        checks.push((version) => matchString(name.op, version.name, name.value))
        if (next() < 0.4) {
          const tag = pick([
            { op: 'EQ', value: pick(tiers) },
            { op: 'NEQ', value: 'gold' },
            { op: 'ILIKE', value: 'b%' },
            { op: 'LIKE', value: '%l%' },
          ] as const)
          filter.tags = [{ key: 'tier', ...tag }]
          checks.push((version) => matchString(tag.op, version.tier, tag.value))
        }
        const mix = pick(mixes)
        const first = pick([61, 250, 1000])
        const description = JSON.stringify({ filter, mix, first })
        const got = await pageAll(filter, first, mix)
        // NEQ on names also matches other suites' models: keep ours.
        const mine = got.filter((id) => versions.some((version) => version.id === id))
        expect(mine, description).toEqual(bruteForce((version) => mix.includes(version.backend) && checks.every((check) => check(version))))
      }
    }, 600_000)
  })
})
