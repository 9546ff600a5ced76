import type { Backend, FilterPlan, ModelRegistryReader, Page, PageRequest } from '../contract/backend.js'
import {
  datasetContextOf,
  datasetNode,
  type Experiment,
  type ModelVersion,
  PARENT_RUN_TAG,
  type RegisteredModel,
  type Run,
  SAGEMAKER_PACKAGE_TAG,
  type UnresolvedRef,
} from '../domain.js'
import { GatewayError, isBackendFailure } from '../errors.js'
import { type NodeRecord, globalIdOf } from '../ids.js'
import type { ModelVersionFilter, RunFilter } from '../contract/filter.js'
import type { Loaders } from './loaders.js'
import { groupBy } from './record-key.js'
import type { Backends } from './backends.js'
import { matchesModelVersionFilter, matchesRunFilter } from '../contract/filter-matching.js'

export const LINK_KINDS = ['PRODUCED_BY', 'IN_EXPERIMENT', 'CHILD_OF', 'USED_DATASET', 'VERSION_OF', 'SAME_MODEL'] as const
export type LinkKind = (typeof LINK_KINDS)[number]

/**
 * One link found from a record. Edges point from the dependent record to
 * what it depends on (a version is PRODUCED_BY a run); `reversed` says the
 * link was found from the other end (a run's versions), so the edge runs
 * from `target` to the record the link was found from.
 */
export interface Link {
  kind: LinkKind
  evidence: string
  target: NodeRecord
  reversed: boolean
}

/** Links found per source record, by the source's global id. */
export type LinkMap = Map<string, Link[]>


/**
 * How records point at each other, across backends, resolved a batch at a
 * time: each method takes every record of one level and asks each backend a
 * few batched questions (through the request's loaders, or one list call),
 * whatever the fan-out. A reference nothing answers becomes an
 * `UnresolvedRef`; a backend that fails is reported once and its references
 * become `UnresolvedRef`s too.
 */
export class Links {
  constructor(
    private readonly backends: Backends,
    private readonly loaders: Loaders,
    private readonly reportFailure: (error: GatewayError) => void,
  ) {}

  /** PRODUCED_BY: a version's source run, on whichever backend has it. */
  async sourceRuns(versions: readonly ModelVersion[]): Promise<LinkMap> {
    const links: LinkMap = new Map()
    const byRunId = versions.filter((version) => version.runId)
    // The version's own backend wins when several have the run id.
    const found = await this.findRuns(byRunId.map((version) => ({ runId: version.runId!, preferred: [version.backendId] })))
    const viaArtifacts: ModelVersion[] = []
    for (const version of versions) {
      if (!version.runId) {
        viaArtifacts.push(version)
        continue
      }
      const run = found.runs.get(version.runId)
      const evidence = version.packageDetails ? `CustomerMetadataProperties mlflow.run_id` : 'field run_id'
      add(links, version, {
        kind: 'PRODUCED_BY',
        evidence,
        reversed: false,
        target: run ?? unresolved(version, `runs:/${version.runId}`, found.failed.size > 0 ? `no reachable backend has run ${version.runId} (${[...found.failed].join(', ')} failed)` : `no configured backend has run ${version.runId}`),
      })
    }
    for (const [key, value] of await this.runsUnderArtifactUris(viaArtifacts)) links.set(key, value)
    return links
  }

  /** VERSION_OF: a version's registered model. */
  async models(versions: readonly ModelVersion[]): Promise<LinkMap> {
    const links: LinkMap = new Map()
    await Promise.all(
      versions.map(async (version) => {
        const key = { backendId: version.backendId, nativeId: version.modelNativeId }
        const model = await this.settle(version.backendId, this.loaders.registeredModel.load(key))
        const evidence = version.packageDetails ? 'ModelPackageGroupName' : 'model name'
        add(links, version, { kind: 'VERSION_OF', evidence, reversed: false, target: model ?? unresolved(version, `models:/${version.modelNativeId}`, 'the registered model is missing') })
      }),
    )
    return links
  }

  /** VERSION_OF, from the model's end: every version of each model (one list per backend). */
  async versionsOf(models: readonly RegisteredModel[], limit: number): Promise<LinkMap> {
    const links: LinkMap = new Map()
    await eachBackend(models, async (backendId, ofBackend) => {
      const reader = this.backends.partOf(backendId, 'modelRegistry')
      const query = { modelIds: ofBackend.map((model) => model.nativeId), filter: { all: [] } }
      const versions = await this.settle(backendId, collect((page) => reader.listModelVersions(query, page), limit))
      for (const version of versions ?? []) {
        const model = ofBackend.find((candidate) => candidate.nativeId === version.modelNativeId)
        if (model) add(links, model, { kind: 'VERSION_OF', evidence: version.packageDetails ? 'ModelPackageGroupName' : 'model name', reversed: true, target: version })
      }
    })
    return links
  }

  /** SAME_MODEL: an MLflow or native version tagged with a SageMaker package ARN → that package, on whichever SageMaker backend knows it. */
  async taggedPackages(versions: readonly ModelVersion[]): Promise<LinkMap> {
    const links: LinkMap = new Map()
    const tagged = versions.filter((version) => !version.packageDetails && version.tags[SAGEMAKER_PACKAGE_TAG])
    const sagemakers = this.backends.all.filter((backend) => backend.capabilities.packageArns && backend.modelRegistry)
    const failed = new Set<string>()
    const lookups = await Promise.all(
      tagged.map(async (version) => {
        const arn = version.tags[SAGEMAKER_PACKAGE_TAG]
        const answers = await Promise.all(
          sagemakers.map((backend) => this.settle(backend.id, this.loaders.modelVersion.load({ backendId: backend.id, nativeId: arn }), failed)),
        )
        return { version, arn, found: answers.find((answer) => answer) ?? null }
      }),
    )
    for (const { version, arn, found } of lookups) {
      const reason = sagemakers.length === 0 ? 'no SageMaker backend is configured' : failed.size > 0 ? `no reachable SageMaker backend has it (${[...failed].join(', ')} failed)` : 'no configured SageMaker backend has it'
      add(links, version, { kind: 'SAME_MODEL', evidence: `tag ${SAGEMAKER_PACKAGE_TAG}`, reversed: false, target: found ?? unresolved(version, arn, reason) })
    }
    return links
  }

  /** SAME_MODEL, from the SageMaker end: the MLflow and native versions tagged with each package's ARN. */
  async versionsTaggedWith(packages: readonly ModelVersion[], limit: number): Promise<LinkMap> {
    const links: LinkMap = new Map()
    const arns = new Map(packages.filter((pkg) => pkg.packageDetails).map((pkg) => [pkg.nativeId, pkg]))
    if (arns.size === 0) return links
    // One package: ask for its ARN; several: list every tagged version once and match here.
    const filter: ModelVersionFilter =
      arns.size === 1
        ? { all: [{ field: 'tag', key: SAGEMAKER_PACKAGE_TAG, op: 'EQ', value: [...arns.keys()][0] }] }
        : { all: [{ field: 'tag', key: SAGEMAKER_PACKAGE_TAG, op: 'LIKE', value: 'arn:%' }] }
    const found = await this.listVersionsWhere(filter, limit, (backend) => !backend.capabilities.packageArns)
    for (const version of found) {
      const pkg = arns.get(version.tags[SAGEMAKER_PACKAGE_TAG])
      if (pkg) add(links, pkg, { kind: 'SAME_MODEL', evidence: `tag ${SAGEMAKER_PACKAGE_TAG}`, reversed: true, target: version })
    }
    return links
  }

  /** PRODUCED_BY, from the run's end: versions whose run id is one of these runs', on registries that can search by run id. */
  async producedVersions(runs: readonly Run[], limit: number): Promise<LinkMap> {
    const links: LinkMap = new Map()
    if (runs.length === 0) return links
    const byId = groupBy(runs, (run) => run.nativeId)
    const found = await this.listVersionsWhere({ all: [{ field: 'runIds', values: [...byId.keys()] }] }, limit, () => true)
    for (const version of found) {
      for (const run of byId.get(version.runId ?? '') ?? []) add(links, run, { kind: 'PRODUCED_BY', evidence: 'field run_id', reversed: true, target: version })
    }
    return links
  }

  /** IN_EXPERIMENT: a run's experiment. */
  async experiments(runs: readonly Run[]): Promise<LinkMap> {
    const links: LinkMap = new Map()
    await Promise.all(
      runs.map(async (run) => {
        const experiment = await this.settle(run.backendId, this.loaders.experiment.load({ backendId: run.backendId, nativeId: run.experimentNativeId }))
        add(links, run, {
          kind: 'IN_EXPERIMENT',
          evidence: 'experiment_id',
          reversed: false,
          target: experiment ?? unresolved(run, `experiments:/${run.experimentNativeId}`, 'the experiment is missing or its backend failed'),
        })
      }),
    )
    return links
  }

  /** IN_EXPERIMENT, from the experiment's end: its runs (one list per backend), newest first. */
  async runsOf(experiments: readonly Experiment[], limit: number): Promise<LinkMap> {
    const links: LinkMap = new Map()
    await eachBackend(experiments, async (backendId, ofBackend) => {
      const tracking = this.backends.partOf(backendId, 'tracking')
      const query = {
        experimentIds: ofBackend.map((experiment) => experiment.nativeId),
        filter: { all: [] },
        lifecycle: 'active' as const,
        orderBy: [{ field: 'startTime' as const, direction: 'desc' as const }],
      }
      for (const run of (await this.settle(backendId, collect((page) => tracking.listRuns(query, page), limit))) ?? []) {
        const experiment = ofBackend.find((candidate) => candidate.nativeId === run.experimentNativeId)
        if (experiment) add(links, experiment, { kind: 'IN_EXPERIMENT', evidence: 'experiment_id', reversed: true, target: run })
      }
    })
    return links
  }

  /** CHILD_OF: a nested run's parent (MLflow's tag; the native store follows it). */
  async parents(runs: readonly Run[]): Promise<LinkMap> {
    const links: LinkMap = new Map()
    await Promise.all(
      runs
        .filter((run) => run.tags[PARENT_RUN_TAG])
        .map(async (run) => {
          const parentId = run.tags[PARENT_RUN_TAG]
          const parent = await this.settle(run.backendId, this.loaders.run.load({ backendId: run.backendId, nativeId: parentId }))
          add(links, run, { kind: 'CHILD_OF', evidence: `tag ${PARENT_RUN_TAG}`, reversed: false, target: parent ?? unresolved(run, `runs:/${parentId}`, 'the parent run is missing') })
        }),
    )
    return links
  }

  /** CHILD_OF, from the parent's end: runs of the same experiments tagged with a parent among these (one list per backend). */
  async children(runs: readonly Run[], limit: number): Promise<LinkMap> {
    const links: LinkMap = new Map()
    await eachBackend(runs, async (backendId, ofBackend) => {
      const backend = this.backends.get(backendId)
      const tracking = this.backends.partOf(backend, 'tracking')
      const filter: RunFilter = { all: [{ field: 'tag', key: PARENT_RUN_TAG, op: 'LIKE', value: '%' }] }
      const plan = tracking.planRunFilter(filter)
      const query = {
        experimentIds: [...new Set(ofBackend.map((run) => run.experimentNativeId))],
        filter: plan.pushed,
        lifecycle: 'active' as const,
        orderBy: [{ field: 'startTime' as const, direction: 'desc' as const }],
      }
      const nested = await this.settle(backendId, collect((page) => tracking.listRuns(query, page), limit))
      for (const child of (nested ?? []).filter((run) => matchesRunFilter(run, plan.residual))) {
        for (const parent of ofBackend.filter((run) => run.nativeId === child.tags[PARENT_RUN_TAG])) {
          add(links, parent, { kind: 'CHILD_OF', evidence: `tag ${PARENT_RUN_TAG}`, reversed: true, target: child })
        }
      }
    })
    return links
  }

  /** USED_DATASET: the datasets a run logged as inputs (already on the run record). */
  datasets(runs: readonly Run[]): LinkMap {
    const links: LinkMap = new Map()
    for (const run of runs) {
      for (const input of run.datasets) {
        const target = datasetNode(run.backendId, input.dataset)
        add(links, run, { kind: 'USED_DATASET', evidence: datasetContextOf(input) ? `dataset input (context ${datasetContextOf(input)})` : 'dataset input', reversed: false, target })
      }
    }
    return links
  }

  /**
   * Runs by their own id, on whichever tracking backend has them: first on
   * each id's preferred backends, then every other tracking backend for the
   * ids still missing — one batch per backend and round, through the loaders.
   */
  private async findRuns(requests: readonly { runId: string; preferred: readonly string[] }[]): Promise<{ runs: Map<string, Run>; failed: Set<string> }> {
    const failed = new Set<string>()
    const runs = new Map<string, Run>()
    const trackers = this.backends.all.filter((backend) => backend.tracking)
    const lookUp = (runId: string, backends: readonly Backend[]) =>
      Promise.all(backends.map((backend) => this.settle(backend.id, this.loaders.run.load({ backendId: backend.id, nativeId: runId }), failed)))
    await Promise.all(
      requests.map(async ({ runId, preferred }) => {
        const first = (await lookUp(runId, trackers.filter((backend) => preferred.includes(backend.id)))).find((run) => run !== null)
        const found = first ?? (await lookUp(runId, trackers.filter((backend) => !preferred.includes(backend.id)))).find((run) => run !== null)
        if (found) runs.set(runId, found)
      }),
    )
    return { runs, failed }
  }

  /**
   * PRODUCED_BY from a package's ModelDataUrl lying under a run's artifact
   * URI. MLflow artifact URIs hold the run id as a path segment, so the
   * 32-hex segments of the URL are the candidates, looked up in one batch.
   */
  private async runsUnderArtifactUris(versions: readonly ModelVersion[]): Promise<LinkMap> {
    const links: LinkMap = new Map()
    const urls = versions.flatMap((version) => (version.packageDetails?.containers ?? []).flatMap((container) => (container.modelDataUrl ? [{ version, url: container.modelDataUrl }] : [])))
    const candidates = [...new Set(urls.flatMap(({ url }) => url.split('/').filter((segment) => /^[0-9a-f]{32}$/.test(segment))))]
    const found = await this.findRuns(candidates.map((runId) => ({ runId, preferred: [] })))
    for (const { version, url } of urls) {
      const run = [...found.runs.values()].find((candidate) => candidate.artifactUri && url.startsWith(`${candidate.artifactUri.replace(/\/$/, '')}/`))
      if (run) add(links, version, { kind: 'PRODUCED_BY', evidence: "ModelDataUrl under the run's artifact URI", reversed: false, target: run })
    }
    return links
  }

  /**
   * Versions matching a filter on every registry backend `which` picks that
   * can push the whole filter down (one list each, or one per part of a run
   * id list too long for the backend: see pushableParts).
   */
  private async listVersionsWhere(filter: ModelVersionFilter, limit: number, which: (backend: Backend) => boolean): Promise<ModelVersion[]> {
    const lists = await Promise.all(
      this.backends.all
        .filter((backend) => backend.modelRegistry && which(backend))
        .map(async (backend) => {
          const reader: ModelRegistryReader = this.backends.partOf(backend, 'modelRegistry')
          // A part the backend cannot push down whole would have to list everything to answer: left out.
          const parts = pushableParts(filter, (part) => reader.planVersionFilter(part))
          const lists = await Promise.all(parts.map((pushed) => this.settle(backend.id, collect((page) => reader.listModelVersions({ modelIds: null, filter: pushed }, page), limit))))
          return lists.flatMap((versions) => versions ?? []).filter((version) => matchesModelVersionFilter(version, filter))
        }),
    )
    return lists.flat()
  }

  /** A backend's answer, or null when it failed (reported once per backend and request). */
  private async settle<T>(backendId: string, read: Promise<T>, failed?: Set<string>): Promise<T | null> {
    try {
      return await read
    } catch (error) {
      if (!isBackendFailure(error)) throw error
      failed?.add(backendId)
      this.reportFailure(error)
      return null
    }
  }
}

function add(links: LinkMap, source: NodeRecord, link: Link): void {
  const key = globalIdOf(source)
  links.set(key, [...(links.get(key) ?? []), link])
}

function unresolved(from: NodeRecord, uri: string, reason: string): UnresolvedRef {
  return { recordType: 'UnresolvedRef', backendId: from.backendId, nativeId: uri, uri, reason }
}

/** Runs `each` for every backend's share of `records` at once. */
async function eachBackend<T extends { backendId: string }>(records: readonly T[], each: (backendId: string, ofBackend: T[]) => Promise<void>): Promise<void> {
  await Promise.all([...groupBy(records, (record) => record.backendId)].map(([backendId, ofBackend]) => each(backendId, ofBackend)))
}

/** Pages of a list until it ends or `limit` items are in. */
async function collect<T>(fetch: (page: PageRequest) => Promise<Page<T>>, limit: number): Promise<T[]> {
  const items: T[] = []
  let token: string | null = null
  do {
    const page: Page<T> = await fetch({ first: Math.min(1000, Math.max(limit - items.length, 1)), token })
    items.push(...page.items)
    token = page.nextToken
  } while (token && items.length < limit)
  return items.slice(0, limit)
}

/**
 * The filter as parts a backend pushes down whole (each as the backend's
 * plan pushes it): itself when it can; a
 * lone run id list split in halves until each half can (MLflow's
 * model-versions/search is a GET and takes about 100 ids: a 700-run lineage
 * level is 8 searches); nothing when even one id cannot be pushed.
 */
function pushableParts(filter: ModelVersionFilter, plan: (filter: ModelVersionFilter) => FilterPlan<ModelVersionFilter>): ModelVersionFilter[] {
  const planned = plan(filter)
  if (planned.residual.all.length === 0) return [planned.pushed]
  const [only] = filter.all
  if (filter.all.length !== 1 || only.field !== 'runIds' || only.values.length < 2) return []
  const half = Math.ceil(only.values.length / 2)
  return [only.values.slice(0, half), only.values.slice(half)].flatMap((values) => pushableParts({ all: [{ field: 'runIds', values }] }, plan))
}
