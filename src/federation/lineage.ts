import { createHash } from 'node:crypto'
import {
  type UnresolvedRef,
  type Experiment,
  type ModelVersion,
  type RegisteredModel,
  type Run,
  isDatasetNode,
  isExperiment,
  isModelVersion,
  isRegisteredModel,
  isRun,
  isUnresolvedRef,
} from '../domain.js'
import { badInput } from '../errors.js'
import { type NodeRecord, globalIdOf } from '../ids.js'
import { type LinkKind, type LinkMap, Links } from './links.js'

export const LINEAGE_DIRECTIONS = ['UPSTREAM', 'DOWNSTREAM', 'BOTH'] as const
export type LineageDirection = (typeof LINEAGE_DIRECTIONS)[number]

export const LINEAGE_LIMITS = { depth: { default: 3, max: 10 }, nodes: { default: 500, max: 5000 } } as const

export interface LineageEdge {
  from: string
  to: string
  kind: LinkKind
  evidence: string
}

export interface LineageGraph {
  root: NodeRecord
  nodes: NodeRecord[]
  edges: LineageEdge[]
  /** True when the node limit cut the walk short. */
  truncated: boolean
}

/**
 * Breadth-first lineage from one record. Each level expands every record
 * of the frontier at once, so each backend gets a few batched calls per
 * level however wide the level is (see `Links`).
 *
 * Upstream follows edges the way they point (a version to the run that
 * produced it, a run to its experiment, parent and datasets, a version to
 * its model); downstream follows them back (a run to its versions and
 * children, a model to its versions). SAME_MODEL is followed both ways.
 * An experiment's runs are followed downstream only from the root (a walk
 * that reaches an experiment through one run must not fan out to all of
 * them); a dataset's runs never are.
 */
export async function walkLineage(
  root: NodeRecord,
  options: { depth: number; direction: LineageDirection; maxNodes: number },
  links: Links,
  /** Whether the caller may read a record; one they may not is shown as an UnresolvedRef (FORBIDDEN) that names nothing, and not followed. */
  readable: (record: NodeRecord) => Promise<boolean> = async () => true,
): Promise<LineageGraph> {
  if (!Number.isInteger(options.depth) || options.depth < 0 || options.depth > LINEAGE_LIMITS.depth.max) {
    throw badInput(`depth must be between 0 and ${LINEAGE_LIMITS.depth.max}`)
  }
  if (!Number.isInteger(options.maxNodes) || options.maxNodes < 1 || options.maxNodes > LINEAGE_LIMITS.nodes.max) {
    throw badInput(`maxNodes must be between 1 and ${LINEAGE_LIMITS.nodes.max}`)
  }
  const nodes = new Map<string, NodeRecord>([[globalIdOf(root), root]])
  const edges = new Map<string, LineageEdge>()
  let truncated = false
  let frontier: NodeRecord[] = [root]
  for (let level = 1; level <= options.depth && frontier.length > 0; level += 1) {
    const budget = options.maxNodes - nodes.size + 1
    const sameModelLinked = new Set([...edges.values()].filter((edge) => edge.kind === 'SAME_MODEL').flatMap((edge) => [edge.from, edge.to]))
    const found = await expand(frontier, { direction: options.direction, fromRoot: level === 1 }, budget, sameModelLinked, links)
    const next: NodeRecord[] = []
    for (const [sourceId, sourceLinks] of found) {
      for (const found of sourceLinks) {
        const link = (await readable(found.target)) ? found : { ...found, target: forbidden(found.target) }
        const targetId = globalIdOf(link.target)
        if (!nodes.has(targetId)) {
          if (nodes.size >= options.maxNodes) {
            truncated = true
            continue
          }
          nodes.set(targetId, link.target)
          if (!isUnresolvedRef(link.target) && !isDatasetNode(link.target)) next.push(link.target)
        }
        const edge = link.reversed ? { from: targetId, to: sourceId } : { from: sourceId, to: targetId }
        edges.set(`${edge.from}\u0000${edge.to}\u0000${link.kind}`, { ...edge, kind: link.kind, evidence: link.evidence })
      }
    }
    frontier = next
  }
  return { root, nodes: [...nodes.values()], edges: [...edges.values()], truncated }
}

/** Every link of one level, found in parallel (so the request's loaders batch across kinds too). */
async function expand(
  frontier: readonly NodeRecord[],
  { direction, fromRoot }: { direction: LineageDirection; fromRoot: boolean },
  budget: number,
  sameModelLinked: ReadonlySet<string>,
  links: Links,
): Promise<LinkMap> {
  const up = direction !== 'DOWNSTREAM'
  const down = direction !== 'UPSTREAM'
  const runs = frontier.filter((record): record is Run => isRun(record))
  const versions = frontier.filter((record): record is ModelVersion => isModelVersion(record))
  const models = frontier.filter((record): record is RegisteredModel => isRegisteredModel(record))
  const experiments = fromRoot ? frontier.filter((record): record is Experiment => isExperiment(record)) : []
  // A package already tied to its MLflow version needs no search for it.
  const unlinkedPackages = versions.filter((version) => version.packageDetails && !sameModelLinked.has(globalIdOf(version)))
  const found = await Promise.all([
    up ? links.sourceRuns(versions) : empty(),
    up ? links.models(versions) : empty(),
    links.taggedPackages(versions),
    links.versionsTaggedWith(unlinkedPackages, budget),
    up ? links.experiments(runs) : empty(),
    up ? links.parents(runs) : empty(),
    up ? links.datasets(runs) : new Map(),
    down ? links.children(runs, budget) : empty(),
    down ? links.producedVersions(runs, budget) : empty(),
    down ? links.versionsOf(models, budget) : empty(),
    down ? links.runsOf(experiments, budget) : empty(),
  ])
  const merged: LinkMap = new Map()
  for (const map of found) for (const [source, sourceLinks] of map) merged.set(source, [...(merged.get(source) ?? []), ...sourceLinks])
  return merged
}

const empty = (): Promise<LinkMap> => Promise.resolve(new Map())

/** A record the caller may not read, as a node that says so and names nothing (its id is a digest of the record's). */
function forbidden(record: NodeRecord): UnresolvedRef {
  const digest = createHash('sha256').update(globalIdOf(record)).digest('hex').slice(0, 20)
  return { recordType: 'UnresolvedRef', backendId: record.backendId, nativeId: `forbidden-${digest}`, uri: `forbidden-${digest}`, reason: 'FORBIDDEN' }
}
