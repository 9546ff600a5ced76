import { invalidParameter } from './errors.js'

export interface OrderClause {
  /** `attribute`, `metric`, `param` or `tag`. */
  entity: string
  key: string
  ascending: boolean
}

const ENTITIES: Record<string, string> = {
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  tag: 'tag',
  tags: 'tag',
}

/** One of MLflow's `order_by` entries: `[entity.]key [ASC|DESC]`, keys quoted in backticks or double quotes when needed. */
export function parseOrderBy(text: string): OrderClause {
  const match = /^\s*(?:([A-Za-z]+)\.)?(`[^`]+`|"[^"]+"|[^\s`"]+?)\s*(?:\s(ASC|DESC))?\s*$/i.exec(text)
  const entity = match?.[1] ? ENTITIES[match[1].toLowerCase()] : 'attribute'
  if (!match || !entity) throw invalidParameter(`Invalid order_by clause '${text}'.`)
  const key = /^[`"]/.test(match[2]) ? match[2].slice(1, -1) : match[2]
  return { entity, key, ascending: (match[3] ?? 'ASC').toUpperCase() === 'ASC' }
}

/**
 * Sorts records by MLflow `order_by` entries over the attributes in `keys`,
 * then by `tieBreakers`. For lists this API sorts itself (experiments,
 * registered models: a few hundred records, not millions).
 */
export function sortByOrderClauses<T>(
  items: T[],
  orderBy: string[],
  keys: Record<string, (item: T) => string | number>,
  tieBreakers: OrderClause[],
  what: string,
): T[] {
  const clauses = [...orderBy.map(parseOrderBy), ...tieBreakers]
  for (const clause of clauses) {
    if (clause.entity !== 'attribute' || !(clause.key in keys)) {
      throw invalidParameter(`Invalid order_by entity '${clause.key}'; ${what} order by ${Object.keys(keys).join(', ')}`)
    }
  }
  return [...items].sort((a, b) => {
    for (const clause of clauses) {
      const [x, y] = [keys[clause.key](a), keys[clause.key](b)]
      if (x !== y) return (x < y ? -1 : 1) * (clause.ascending ? 1 : -1)
    }
    return 0
  })
}
