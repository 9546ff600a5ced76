import { type Limits, limitsSchema } from '../config.js'
import { tooComplex } from '../errors.js'

/** The limits when a caller configures none (tests, tools): the config's defaults. */
export const DEFAULT_LIMITS: Limits = limitsSchema.parse({})

/**
 * The size of a list's question, checked once here for every caller
 * (GraphQL, the MLflow API): each filter clause is a condition every
 * candidate row is tested against, each order key a sort column.
 */
export function checkListShape(limits: Limits, list: { filter: { all: readonly unknown[] }; orderBy?: readonly unknown[] }): void {
  if (list.filter.all.length > limits.filterClauses) {
    throw tooComplex(`the filter has ${list.filter.all.length} clauses; the limit is ${limits.filterClauses} (limits.filterClauses)`)
  }
  if (list.orderBy && list.orderBy.length > limits.orderKeys) {
    throw tooComplex(`orderBy has ${list.orderBy.length} keys; the limit is ${limits.orderKeys} (limits.orderKeys)`)
  }
}
