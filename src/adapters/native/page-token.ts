import { GatewayError } from '../../errors.js'
import type { Page, PageRequest } from '../../contract/backend.js'

/**
 * The native store pages by offset within a total order (every order ends
 * with the id), so a token is just the number of rows before the page.
 */
export function pageOffset(page: PageRequest, backendId: string): number {
  if (page.token === null) return 0
  const match = /^o(\d{1,15})$/.exec(page.token)
  if (!match) throw new GatewayError('BAD_USER_INPUT', 'the cursor is not valid for this list', { backend: backendId })
  return Number(match[1])
}

/** Builds a page from rows fetched with `limit first + 1`: the extra row only says another page exists. */
export function pageFromRows<T>(rows: T[], page: PageRequest, offset: number): Page<T> {
  const hasMore = rows.length > page.first
  return { items: hasMore ? rows.slice(0, page.first) : rows, nextToken: hasMore ? `o${offset + page.first}` : null }
}
