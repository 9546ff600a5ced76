/** A GraphQL error as the gateway answers it: every error carries a code; a backend's failure names the backend. */
export interface GraphqlError {
  message: string
  extensions?: { code?: string; backend?: string }
}

export interface GraphqlAnswer<T> {
  data: T | null
  errors: GraphqlError[]
}

/** Asks the gateway's own /graphql (same origin: the browser's credentials go with it). */
export async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<GraphqlAnswer<T>> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  })
  const body = (await response.json()) as { data?: T | null; errors?: GraphqlError[] }
  return { data: body.data ?? null, errors: body.errors ?? [] }
}
