import { RUN_ORDER_FIELDS, type RunOrder, SORT_DIRECTIONS } from '../contract/backend.js'
import { LIFECYCLE_STAGES, RUN_STATUSES } from '../domain.js'
import { LIFECYCLE_VIEWS, NUMBER_OPS, STRING_OPS, type ExperimentFilter, type LifecycleView, type RunFilter, type RunPredicate } from '../contract/filter.js'
import { parseMlflowFilter } from '../federation/mlflow-filter.js'
import { builder, enumOfConstants } from './builder.js'

/** The typed filter and order inputs, and their translation into the federation layer's filter AST. */

export const RunStatusEnum = builder.enumType('RunStatus', { values: RUN_STATUSES })
export const LifecycleStageEnum = enumOfConstants('LifecycleStage', LIFECYCLE_STAGES)
const LifecycleFilterEnum = enumOfConstants('LifecycleFilter', LIFECYCLE_VIEWS, 'Which records a list includes; deleted ones stay restorable and are hidden by default.')
const StringOperatorEnum = builder.enumType('StringOperator', {
  description: 'LIKE and ILIKE take SQL patterns: % matches any run of characters, _ one character. LIKE is case-sensitive.',
  values: STRING_OPS,
})
const NumberOperatorEnum = builder.enumType('NumberOperator', { values: NUMBER_OPS })

export const StringConditionInput = builder.inputType('StringCondition', {
  fields: (t) => ({
    op: t.field({ type: StringOperatorEnum, defaultValue: 'EQ' }),
    value: t.string({ required: true }),
  }),
})

export const KeyConditionInput = builder.inputType('KeyCondition', {
  description: 'A condition on the param or tag named `key`; runs without that key never match.',
  fields: (t) => ({
    key: t.string({ required: true }),
    op: t.field({ type: StringOperatorEnum, defaultValue: 'EQ' }),
    value: t.string({ required: true }),
  }),
})

const MetricConditionInput = builder.inputType('MetricCondition', {
  description: "A condition on a metric's latest value; runs without that metric never match.",
  fields: (t) => ({
    key: t.string({ required: true }),
    op: t.field({ type: NumberOperatorEnum, required: true }),
    value: t.float({ required: true }),
  }),
})

const TimeRangeInput = builder.inputType('TimeRange', {
  description: 'From (inclusive) to (exclusive); either end may be open.',
  fields: (t) => ({
    from: t.field({ type: 'DateTime' }),
    to: t.field({ type: 'DateTime' }),
  }),
})

export const RunFilterInput = builder.inputType('RunFilter', {
  description: 'Every condition given must hold (AND).',
  fields: (t) => ({
    status: t.field({ type: [RunStatusEnum], description: 'The run has one of these statuses.' }),
    name: t.field({ type: StringConditionInput }),
    params: t.field({ type: [KeyConditionInput] }),
    tags: t.field({ type: [KeyConditionInput] }),
    metrics: t.field({ type: [MetricConditionInput] }),
    startTime: t.field({ type: TimeRangeInput }),
    lifecycle: t.field({ type: LifecycleFilterEnum, defaultValue: 'active' }),
  }),
})

export const ExperimentFilterInput = builder.inputType('ExperimentFilter', {
  fields: (t) => ({
    name: t.field({ type: StringConditionInput }),
    tags: t.field({ type: [KeyConditionInput] }),
    lifecycle: t.field({ type: LifecycleFilterEnum, defaultValue: 'active' }),
  }),
})

const RunOrderFieldEnum = enumOfConstants('RunOrderField', RUN_ORDER_FIELDS)
const SortDirectionEnum = enumOfConstants('SortDirection', SORT_DIRECTIONS)

export const RunOrderInput = builder.inputType('RunOrder', {
  description:
    "Sort key. Missing values sort last either way; ties are broken by id. METRIC sorts by a metric's latest value, PARAM and TAG by the value as a string (as MLflow orders them).",
  fields: (t) => ({
    field: t.field({ type: RunOrderFieldEnum, required: true }),
    key: t.string({ description: 'The metric, param or tag key: required when field is METRIC, PARAM or TAG.' }),
    metricKey: t.string({ description: 'The metric key when field is METRIC.', deprecationReason: 'Use `key`, which also serves PARAM and TAG.' }),
    direction: t.field({ type: SortDirectionEnum, defaultValue: 'desc' }),
  }),
})

type RunFilterShape = typeof RunFilterInput.$inferInput
type ExperimentFilterShape = typeof ExperimentFilterInput.$inferInput
type RunOrderShape = typeof RunOrderInput.$inferInput


/** The typed filter and the MLflow filter string become one AND-ed filter. */
export function toRunFilter(
  input: RunFilterShape | null | undefined,
  mlflowFilter: string | null | undefined,
): { filter: RunFilter; lifecycle: LifecycleView } {
  const all: RunPredicate[] = []
  if (input?.status) all.push({ field: 'status', op: 'IN', values: [...input.status] })
  if (input?.name) all.push({ field: 'name', op: input.name.op ?? 'EQ', value: input.name.value })
  for (const condition of input?.params ?? []) all.push({ field: 'param', key: condition.key, op: condition.op ?? 'EQ', value: condition.value })
  for (const condition of input?.tags ?? []) all.push({ field: 'tag', key: condition.key, op: condition.op ?? 'EQ', value: condition.value })
  for (const condition of input?.metrics ?? []) all.push({ field: 'metric', key: condition.key, op: condition.op, value: condition.value })
  if (input?.startTime?.from) all.push({ field: 'startTime', op: 'GTE', value: input.startTime.from.getTime() })
  if (input?.startTime?.to) all.push({ field: 'startTime', op: 'LT', value: input.startTime.to.getTime() })
  if (mlflowFilter) all.push(...parseMlflowFilter(mlflowFilter).all)
  return { filter: { all }, lifecycle: input?.lifecycle ?? 'active' }
}

export function toExperimentFilter(input: ExperimentFilterShape | null | undefined): { filter: ExperimentFilter; lifecycle: LifecycleView } {
  const filter: ExperimentFilter = { all: [] }
  if (input?.name) filter.all.push({ field: 'name', op: input.name.op ?? 'EQ', value: input.name.value })
  for (const condition of input?.tags ?? []) filter.all.push({ field: 'tag', key: condition.key, op: condition.op ?? 'EQ', value: condition.value })
  return { filter, lifecycle: input?.lifecycle ?? 'active' }
}

export function toRunOrder(input: readonly RunOrderShape[] | null | undefined): RunOrder[] {
  return (input ?? []).map((order) => ({
    field: order.field,
    key: order.key ?? order.metricKey ?? undefined,
    direction: order.direction ?? 'desc',
  }))
}
