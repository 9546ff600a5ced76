/** Paging every list of the contract shares. */

/** A page request: `token` is the backend's own continuation token, opaque to everyone else. */
export interface PageRequest {
  first: number
  token: string | null
}

export interface Page<T> {
  items: T[]
  /** The token of the page after this one; null on the last page. */
  nextToken: string | null
}
