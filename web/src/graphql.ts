import { useEffect, useState } from 'preact/hooks'

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

/**
 * A query's answer for a component, asked again when `key` changes (the
 * variables' identity); null while it is on its way. An answer that comes
 * after the component asked something else is dropped.
 */
export function useGraphql<T>(query: string, variables: Record<string, unknown>, key: string): GraphqlAnswer<T> | null {
  const [answer, setAnswer] = useState<{ key: string; answer: GraphqlAnswer<T> } | null>(null)
  useEffect(() => {
    let current = true
    void graphql<T>(query, variables).then((received) => {
      if (current) setAnswer({ key, answer: received })
    })
    return () => {
      current = false
    }
    // `key` stands for the variables: a new object each render must not ask again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query, key])
  return answer?.key === key ? answer.answer : null
}
