import type { ArgBuilder } from '@pothos/core'
import { FIRST_ARG_DESCRIPTION, type GatewayTypes } from './builder.js'
import { RunFilterInput, RunOrderInput, toRunFilter, toRunOrder } from './filter-inputs.js'

/** The list-shaping arguments Query.runs and Experiment.runs share. */
export function runListArgs(t: { arg: ArgBuilder<GatewayTypes> }) {
  return {
    filter: t.arg({ type: RunFilterInput }),
    mlflowFilter: t.arg.string({
      description: "MLflow search syntax, e.g. \"metrics.acc > 0.9 and params.lr = '0.01'\"; AND-ed with `filter`.",
    }),
    orderBy: t.arg({ type: [RunOrderInput], description: 'Default: START_TIME DESC.' }),
    first: t.arg.int({ description: FIRST_ARG_DESCRIPTION }),
    after: t.arg.string(),
  }
}

type RunListArgValues = {
  filter?: typeof RunFilterInput.$inferInput | null
  mlflowFilter?: string | null
  orderBy?: readonly (typeof RunOrderInput.$inferInput)[] | null
  first?: number | null
  after?: string | null
}

export function runListArgsFrom(args: RunListArgValues) {
  return {
    ...toRunFilter(args.filter, args.mlflowFilter),
    orderBy: toRunOrder(args.orderBy),
    first: args.first ?? null,
    after: args.after ?? null,
  }
}
