import { type GraphQLResolveInfo, responsePathAsArray } from 'graphql'
import type { GatewayContext } from '../context.js'
import { DATASET_CONTEXT_TAG, type DatasetInput, type DatasetNode, type UnresolvedRef, datasetContextOf, datasetNode, isDatasetNode, isModelVersion, isRun, isUnresolvedRef } from '../domain.js'
import { notFound } from '../errors.js'
import { LINEAGE_DIRECTIONS, LINEAGE_LIMITS, type LineageEdge, type LineageGraph, walkLineage } from '../federation/lineage.js'
import { LINK_KINDS, type Links } from '../federation/links.js'
import { decodeGlobalIdOf, globalIdOf } from '../ids.js'
import { builder } from './builder.js'
import { loadNode } from './node.js'
import { ModelVersionRef, NodeRef, RunRef } from './refs.js'

/** Lineage: the graph query, datasets and unresolved references, and the run and version fields that cross backends by the same links. */

/** Links for one field: a backend that fails while it resolves is reported once, at its path. */
export function linksFor(context: GatewayContext, info: GraphQLResolveInfo): Links {
  const reported = new Set<string | undefined>()
  return context.federation.links((error) => {
    if (reported.has(error.backend)) return
    reported.add(error.backend)
    context.partialFailures.push({ error, path: responsePathAsArray(info.path) })
  })
}

export const DatasetRef = builder.objectRef<DatasetNode>('Dataset').implement({
  description: 'A dataset a run logged as an input (MLflow’s log-inputs): a name and a content digest.',
  interfaces: [NodeRef],
  isTypeOf: isDatasetNode,
  fields: (t) => ({
    name: t.string({ resolve: (node) => node.dataset.name }),
    digest: t.string({ resolve: (node) => node.dataset.digest }),
    sourceType: t.string({ nullable: true, resolve: (node) => node.dataset.sourceType }),
    source: t.string({ nullable: true, description: 'Where the data lives, as the client wrote it (often JSON such as {"uri": "s3://..."}).', resolve: (node) => node.dataset.source }),
    schema: t.string({ nullable: true, resolve: (node) => node.dataset.schema }),
    profile: t.string({ nullable: true, resolve: (node) => node.dataset.profile }),
  }),
})

builder.objectRef<UnresolvedRef>('UnresolvedRef').implement({
  description: 'A link that leads nowhere: what the record referred to, and why it could not be followed.',
  interfaces: [NodeRef],
  isTypeOf: isUnresolvedRef,
  fields: (t) => ({
    uri: t.exposeString('uri'),
    reason: t.exposeString('reason', { description: 'Why: the record is missing, its backend failed, or FORBIDDEN (you may not read it: it is not named).' }),
  }),
})

const DatasetInputRef = builder.objectRef<DatasetInput & { backendId: string }>('DatasetInput').implement({
  fields: (t) => ({
    dataset: t.field({
      type: DatasetRef,
      resolve: (input) => datasetNode(input.backendId, input.dataset),
    }),
    context: t.string({ nullable: true, description: "MLflow's mlflow.data.context: training, evaluation, ...", resolve: (input) => datasetContextOf(input) }),
  }),
})

const LineageDirectionEnum = builder.enumType('LineageDirection', {
  description: 'UPSTREAM: toward what a record came from; DOWNSTREAM: toward what came from it; BOTH: either way at every step.',
  values: LINEAGE_DIRECTIONS,
})
const LineageEdgeKindEnum = builder.enumType('LineageEdgeKind', { values: LINK_KINDS })

const LineageEdgeRef = builder.objectRef<LineageEdge>('LineageEdge').implement({
  description: 'From the dependent record to what it depends on (a version is PRODUCED_BY a run).',
  fields: (t) => ({
    from: t.id({ resolve: (edge) => edge.from }),
    to: t.id({ resolve: (edge) => edge.to }),
    kind: t.field({ type: LineageEdgeKindEnum, resolve: (edge) => edge.kind }),
    evidence: t.exposeString('evidence', { description: 'Which field made the link, e.g. "tag sagemaker.model_package_arn".' }),
  }),
})

const LineageGraphRef = builder.objectRef<LineageGraph>('LineageGraph').implement({
  fields: (t) => ({
    root: t.field({ type: NodeRef, resolve: (graph) => graph.root }),
    nodes: t.field({ type: [NodeRef], resolve: (graph) => graph.nodes }),
    edges: t.field({ type: [LineageEdgeRef], resolve: (graph) => graph.edges }),
    truncated: t.exposeBoolean('truncated', { description: 'True when maxNodes cut the walk short.' }),
  }),
})

builder.queryFields((t) => ({
  lineage: t.field({
    type: LineageGraphRef,
    description:
      'Where a run, model version, registered model or experiment came from and what came of it, across backends: ' +
      'runs, experiments, parent runs, datasets, versions and their SageMaker packages. A link that resolves to nothing is an UnresolvedRef.',
    args: {
      id: t.arg.id({ required: true }),
      depth: t.arg.int({ defaultValue: LINEAGE_LIMITS.depth.default, description: `0-${LINEAGE_LIMITS.depth.max}.` }),
      direction: t.arg({ type: LineageDirectionEnum, defaultValue: 'BOTH' }),
      maxNodes: t.arg.int({ defaultValue: LINEAGE_LIMITS.nodes.default, description: `At most ${LINEAGE_LIMITS.nodes.max}.` }),
    },
    resolve: async (_, args, context, info) => {
      const root = await loadNode(context, args.id)
      if (!root) throw notFound(args.id)
      return walkLineage(
        root,
        { depth: args.depth ?? LINEAGE_LIMITS.depth.default, direction: args.direction ?? 'BOTH', maxNodes: args.maxNodes ?? LINEAGE_LIMITS.nodes.default },
        linksFor(context, info),
        (record) => context.federation.guard.mayReadNode(record),
      )
    },
  }),
}))

builder.objectFields(RunRef, (t) => ({
  datasets: t.field({
    type: [DatasetInputRef],
    description: 'Datasets this run logged as inputs.',
    resolve: (run) => run.datasets.map((input) => ({ ...input, backendId: run.backendId })),
  }),
  modelVersions: t.field({
    type: [ModelVersionRef],
    description: 'Versions this run produced, on every registry that can search by run id (native, MLflow).',
    resolve: async (run, _, context, info) =>
      ((await linksFor(context, info).producedVersions([run], LINEAGE_LIMITS.nodes.default)).get(globalIdOf(run)) ?? []).flatMap((link) =>
        isModelVersion(link.target) ? [link.target] : [],
      ),
  }),
}))

builder.objectFields(ModelVersionRef, (t) => ({
  sourceRun: t.field({
    type: RunRef,
    nullable: true,
    description: "The run that produced this version, on whichever backend has it: its run id, a SageMaker package's mlflow.run_id, or its ModelDataUrl under a run's artifact URI.",
    resolve: async (version, _, context, info) => {
      const found = await linksFor(context, info).sourceRuns([version])
      return [...found.values()].flat().map((link) => link.target).find(isRun) ?? null
    },
  }),
}))

builder.mutationFields((t) => ({
  logInputs: t.field({
    type: RunRef,
    description: 'Records datasets a run used (MLflow’s log-inputs). A dataset is identified by name and digest.',
    args: {
      runId: t.arg.id({ required: true }),
      datasets: t.arg({
        type: [
          builder.inputType('DatasetInputInput', {
            fields: (f) => ({
              name: f.string({ required: true }),
              digest: f.string({ required: true }),
              sourceType: f.string(),
              source: f.string(),
              schema: f.string(),
              profile: f.string(),
              context: f.string({ description: 'training, evaluation, ...' }),
            }),
          }),
        ],
        required: true,
      }),
    },
    resolve: (_, args, { federation }) =>
      federation.logInputs(
        decodeGlobalIdOf('Run', args.runId),
        args.datasets.map((input) => ({
          dataset: {
            name: input.name,
            digest: input.digest,
            sourceType: input.sourceType ?? null,
            source: input.source ?? null,
            schema: input.schema ?? null,
            profile: input.profile ?? null,
          },
          tags: Object.fromEntries(input.context ? [[DATASET_CONTEXT_TAG, input.context]] : []),
        })),
      ),
  }),
}))
