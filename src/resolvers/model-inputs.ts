import { APPROVAL_STATUSES, MODEL_STAGES, PROMOTIONS } from '../domain.js'
import type { ModelVersionFilter, RegisteredModelFilter } from '../contract/filter.js'
import { builder } from './builder.js'
import { KeyConditionInput, StringConditionInput } from './filter-inputs.js'

/** The registry's enums and filter inputs, and their translation into the federation layer's filter AST. */

export const ModelStageEnum = builder.enumType('ModelStage', { description: "MLflow's stages (the native registry's too).", values: MODEL_STAGES })
export const ApprovalStatusEnum = builder.enumType('ApprovalStatus', { description: "SageMaker Model Registry's approval states.", values: APPROVAL_STATUSES })
export const PromotionEnum = builder.enumType('Promotion', {
  description:
    'Where a version stands, in one vocabulary for every backend. MLflow and native stages: NONE→NONE, STAGING→CANDIDATE, ' +
    'PRODUCTION→PRODUCTION, ARCHIVED→RETIRED. SageMaker approvals: PENDING_MANUAL_APPROVAL→CANDIDATE, APPROVED→PRODUCTION, REJECTED→RETIRED.',
  values: PROMOTIONS,
})

export const RegisteredModelFilterInput = builder.inputType('RegisteredModelFilter', {
  description: 'Every condition given must hold (AND).',
  fields: (t) => ({
    name: t.field({ type: StringConditionInput }),
    tags: t.field({ type: [KeyConditionInput] }),
  }),
})

export const ModelVersionFilterInput = builder.inputType('ModelVersionFilter', {
  description: 'Every condition given must hold (AND). A list condition matches versions whose value is in the list.',
  fields: (t) => ({
    modelName: t.field({ type: StringConditionInput }),
    promotion: t.field({ type: [PromotionEnum], description: 'Works on every backend: "what is in production, everywhere".' }),
    stage: t.field({ type: [ModelStageEnum], description: 'SageMaker versions have no stage and never match.' }),
    approvalStatus: t.field({ type: [ApprovalStatusEnum], description: 'Only SageMaker versions have one; others never match.' }),
    runId: t.string({ description: "The producing run's own id (not its global id)." }),
    source: t.field({ type: StringConditionInput }),
    tags: t.field({ type: [KeyConditionInput], description: 'On SageMaker: the package’s CustomerMetadataProperties.' }),
  }),
})

export function toRegisteredModelFilter(input: typeof RegisteredModelFilterInput.$inferInput | null | undefined): RegisteredModelFilter {
  const filter: RegisteredModelFilter = { all: [] }
  if (input?.name) filter.all.push({ field: 'name', op: input.name.op ?? 'EQ', value: input.name.value })
  for (const condition of input?.tags ?? []) filter.all.push({ field: 'tag', key: condition.key, op: condition.op ?? 'EQ', value: condition.value })
  return filter
}

export function toModelVersionFilter(input: typeof ModelVersionFilterInput.$inferInput | null | undefined): ModelVersionFilter {
  const filter: ModelVersionFilter = { all: [] }
  if (input?.modelName) filter.all.push({ field: 'modelName', op: input.modelName.op ?? 'EQ', value: input.modelName.value })
  if (input?.promotion) filter.all.push({ field: 'promotion', values: [...input.promotion] })
  if (input?.stage) filter.all.push({ field: 'stage', values: [...input.stage] })
  if (input?.approvalStatus) filter.all.push({ field: 'approvalStatus', values: [...input.approvalStatus] })
  if (input?.runId) filter.all.push({ field: 'runId', op: 'EQ', value: input.runId })
  if (input?.source) filter.all.push({ field: 'source', op: input.source.op ?? 'EQ', value: input.source.value })
  for (const condition of input?.tags ?? []) filter.all.push({ field: 'tag', key: condition.key, op: condition.op ?? 'EQ', value: condition.value })
  return filter
}
