import { type ModelPackageDetails, isModelVersion, isRun, promotionOf } from '../domain.js'
import { decodeGlobalId, decodeGlobalIdOf } from '../ids.js'
import { FIRST_ARG_DESCRIPTION, builder } from './builder.js'
import { linksFor } from './lineage.js'
import { MetricRef } from './metric.js'
import { ApprovalStatusEnum, ModelStageEnum, ModelVersionFilterInput, PromotionEnum, toModelVersionFilter } from './model-inputs.js'
import { reportFailures } from './partial-failures.js'
import { BackendRef, KeyValueRef, ModelVersionConnectionRef, ModelVersionRef, NodeRef, RegisteredModelRef, keyValues } from './refs.js'
import { TagInput } from './tags.js'

/** Model versions: the type, the cross-backend list, and the mutations that create and promote versions. */

const ModelPackageRef = builder.objectRef<ModelPackageDetails>('ModelPackage').implement({
  description: "What SageMaker Model Registry keeps about a package beyond the common fields.",
  fields: (t) => ({
    commitId: t.string({ nullable: true, resolve: (details) => details.metadata.commitId }),
    repository: t.string({ nullable: true, resolve: (details) => details.metadata.repository }),
    generatedBy: t.string({ nullable: true, resolve: (details) => details.metadata.generatedBy }),
    projectId: t.string({ nullable: true, resolve: (details) => details.metadata.projectId }),
    containers: t.field({
      type: [
        builder.objectRef<ModelPackageDetails['containers'][number]>('ModelPackageContainer').implement({
          fields: (c) => ({
            image: c.exposeString('image', { nullable: true }),
            modelDataUrl: c.exposeString('modelDataUrl', { nullable: true }),
          }),
        }),
      ],
      resolve: (details) => details.containers,
    }),
    modelMetrics: t.field({
      type: [
        builder.objectRef<ModelPackageDetails['modelMetrics'][number]>('ModelMetricsReport').implement({
          description: 'A ModelMetrics report: which kind (e.g. ModelQuality.Statistics) and where it is stored.',
          fields: (c) => ({
            kind: c.exposeString('kind'),
            contentType: c.exposeString('contentType', { nullable: true }),
            s3Uri: c.exposeString('s3Uri'),
          }),
        }),
      ],
      resolve: (details) => details.modelMetrics,
    }),
  }),
})

ModelVersionRef.implement({
  description: 'One numbered version of a registered model: an MLflow or native model version, or a versioned SageMaker model package.',
  interfaces: [NodeRef],
  isTypeOf: isModelVersion,
  fields: (t) => ({
    backend: t.field({ type: BackendRef, resolve: (version, _, { federation }) => federation.backend(version.backendId) }),
    nativeId: t.exposeString('nativeId', { description: "The backend's own id: <model>/<version>, or the package ARN on SageMaker." }),
    model: t.field({
      type: RegisteredModelRef,
      nullable: true,
      resolve: (version, _, { models }) => models.registeredModel({ backendId: version.backendId, nativeId: version.modelNativeId }),
    }),
    version: t.string({ resolve: (version) => String(version.version) }),
    stage: t.field({ type: ModelStageEnum, nullable: true, resolve: (version) => version.stage }),
    approvalStatus: t.field({ type: ApprovalStatusEnum, nullable: true, resolve: (version) => version.approvalStatus }),
    promotion: t.field({ type: PromotionEnum, resolve: (version) => promotionOf(version) }),
    status: t.exposeString('status', { nullable: true, description: "The backend's own status word (MLflow: READY; SageMaker: Completed, …)." }),
    source: t.exposeString('source', { nullable: true }),
    runId: t.exposeString('runId', { nullable: true, description: "The producing run's own id, as the backend records it." }),
    metrics: t.field({
      type: [MetricRef],
      description: "The source run's latest metrics; empty without one. SageMaker's reports are under `package.modelMetrics`.",
      resolve: async (version, _, context, info) => {
        const found = await linksFor(context, info).sourceRuns([version])
        return [...found.values()].flat().map((link) => link.target).find(isRun)?.metrics ?? []
      },
    }),
    description: t.exposeString('description', { nullable: true }),
    tags: t.field({ type: [KeyValueRef], description: "On SageMaker: the package's CustomerMetadataProperties.", resolve: (version) => keyValues(version.tags) }),
    aliases: t.stringList({
      description: 'Aliases pointing at this version.',
      resolve: async (version, _, { models }) =>
        version.aliases ??
        ((await models.registeredModel({ backendId: version.backendId, nativeId: version.modelNativeId }))?.aliases ?? [])
          .filter((alias) => alias.version === version.version)
          .map((alias) => alias.alias),
    }),
    package: t.field({ type: ModelPackageRef, nullable: true, description: 'SageMaker only.', resolve: (version) => version.packageDetails }),
    createdAt: t.field({ type: 'DateTime', resolve: (version) => version.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (version) => version.updatedAt }),
  }),
})

builder.queryFields((t) => ({
  modelVersions: t.field({
    type: ModelVersionConnectionRef,
    description: 'Versions of the given models, or of every model of the named backends (default: every backend with a registry), by model name then newest first.',
    args: {
      modelIds: t.arg.idList(),
      backends: t.arg.idList(),
      filter: t.arg({ type: ModelVersionFilterInput }),
      first: t.arg.int({ description: FIRST_ARG_DESCRIPTION }),
      after: t.arg.string(),
    },
    resolve: async (_, args, context, info) =>
      reportFailures(
        await context.models.listModelVersions({
          backends: args.backends ?? null,
          models: args.modelIds ? args.modelIds.map((id) => decodeGlobalIdOf('RegisteredModel', id)) : null,
          filter: toModelVersionFilter(args.filter),
          first: args.first ?? null,
          after: args.after ?? null,
        }),
        context,
        info,
      ),
  }),
  modelVersion: t.field({
    type: ModelVersionRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, { id }, { models }) => models.modelVersion(decodeGlobalIdOf('ModelVersion', id)),
  }),
}))

const CreateModelVersionInput = builder.inputType('CreateModelVersionInput', {
  fields: (t) => ({
    modelId: t.id({ required: true }),
    source: t.string({ required: true, description: "The model's artifact URI." }),
    runId: t.string({ description: "The producing run: its global id, or its own id on the model's backend." }),
    description: t.string(),
    tags: t.field({ type: [TagInput] }),
  }),
})

builder.mutationFields((t) => ({
  createModelVersion: t.field({
    type: ModelVersionRef,
    description: 'Registers the next version of a model (numbered from 1).',
    args: { input: t.arg({ type: CreateModelVersionInput, required: true }) },
    resolve: (_, { input }, { models }) =>
      models.createModelVersion({
        model: decodeGlobalIdOf('RegisteredModel', input.modelId),
        source: input.source,
        runId: input.runId ? runNativeId(input.runId) : null,
        description: input.description ?? null,
        tags: input.tags ?? [],
      }),
  }),
  transitionModelVersion: t.field({
    type: ModelVersionRef,
    description: "Moves a version to an MLflow stage. archiveExisting moves the model's other versions in that stage to ARCHIVED, atomically. UNSUPPORTED on SageMaker.",
    args: { id: t.arg.id({ required: true }), stage: t.arg({ type: ModelStageEnum, required: true }), archiveExisting: t.arg.boolean() },
    resolve: (_, args, { models }) => models.transitionModelVersion(decodeGlobalIdOf('ModelVersion', args.id), args.stage, args.archiveExisting ?? false),
  }),
  promoteModelVersion: t.field({
    type: ModelVersionRef,
    description:
      "Moves a version to a promotion on any registry, in the registry's own terms: a stage on MLflow and native backends (CANDIDATE = Staging, RETIRED = Archived), an approval status on SageMaker (CANDIDATE = PendingManualApproval, PRODUCTION = Approved, RETIRED = Rejected; NONE is BAD_USER_INPUT there). archiveExisting retires the model's other versions at that promotion.",
    args: { id: t.arg.id({ required: true }), to: t.arg({ type: PromotionEnum, required: true }), archiveExisting: t.arg.boolean() },
    resolve: (_, args, { models }) => models.promoteModelVersion(decodeGlobalIdOf('ModelVersion', args.id), args.to, args.archiveExisting ?? false),
  }),
  setModelVersionApproval: t.field({
    type: ModelVersionRef,
    description: "Sets a SageMaker package's approval status. UNSUPPORTED on MLflow and native backends, which use stages.",
    args: { id: t.arg.id({ required: true }), status: t.arg({ type: ApprovalStatusEnum, required: true }), description: t.arg.string() },
    resolve: (_, args, { models }) => models.setModelVersionApproval(decodeGlobalIdOf('ModelVersion', args.id), args.status, args.description ?? null),
  }),
}))

/** A run given by global id keeps only its own id; anything else already is one. */
function runNativeId(runId: string): string {
  return runId.startsWith('Run:') ? decodeGlobalId(runId).nativeId : runId
}
