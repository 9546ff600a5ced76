import { createClient } from 'graphql-sse'
import { useEffect, useState } from 'preact/hooks'
import { authorizationHeader, signedOut } from './sign-in'
import type { TypedDocumentString } from './generated/graphql'

/** A GraphQL error as the gateway answers it: every error carries a code; a backend's failure names the backend; a filter's syntax error its position. */
export interface GraphqlError {
  message: string
  extensions?: { code?: string; backend?: string; position?: number }
}

export interface GraphqlAnswer<T> {
  data: T | null
  errors: GraphqlError[]
}

/**
 * The headers every request to the gateway carries: the signed-in user's
 * credentials, if any, and `X-Requested-With`, so a refusal asks the page
 * (which shows its sign-in form) rather than the browser (whose password
 * dialog would hold every other request).
 */
export function gatewayHeaders(): Record<string, string> {
  const authorization = authorizationHeader()
  return { 'x-requested-with': 'mlgate-dashboard', ...(authorization ? { authorization } : {}) }
}

/** Asks the gateway's own /graphql (same origin) one of the dashboard's typed documents (schema/operations/dashboard/). */
export async function graphql<T, V>(document: TypedDocumentString<T, V>, variables: V): Promise<GraphqlAnswer<T>> {
  let body: { data?: T | null; errors?: GraphqlError[] }
  try {
    const response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...gatewayHeaders() },
      body: JSON.stringify({ query: document.toString(), variables }),
    })
    body = (await response.json()) as typeof body
  } catch {
    body = { errors: [{ message: 'The gateway did not answer.', extensions: { code: 'BACKEND_UNAVAILABLE' } }] }
  }
  const errors = body.errors ?? []
  if (errors.some((error) => error.extensions?.code === 'UNAUTHENTICATED')) signedOut()
  return { data: body.data ?? null, errors }
}

/**
 * A query's answer for a component, asked again when `key` changes (the
 * variables' identity) or `refresh` is called; null while the first is on
 * its way. An answer that comes after the component asked something else is dropped.
 */
export function useGraphql<T, V>(document: TypedDocumentString<T, V>, variables: V, key: string): { answer: GraphqlAnswer<T> | null; refresh: () => void } {
  const [answer, setAnswer] = useState<{ key: string; answer: GraphqlAnswer<T> } | null>(null)
  const [asked, setAsked] = useState(0)
  useEffect(() => {
    let current = true
    void graphql(document, variables).then((received) => {
      if (current) setAnswer({ key, answer: received })
    })
    return () => {
      current = false
    }
    // `key` stands for the variables: a new object each render must not ask again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [document, key, asked])
  return { answer: answer?.key === key ? answer.answer : null, refresh: () => setAsked((count) => count + 1) }
}

/** The backends a partial answer left out, each named once. */
export function failedBackendsOf(errors: readonly GraphqlError[]): string[] {
  return [...new Set(errors.flatMap((error) => (error.extensions?.backend ? [error.extensions.backend] : [])))]
}

/**
 * Subscriptions over SSE (graphql-sse's distinct-connections mode, which
 * the gateway's yoga speaks): one stream per subscription, reconnected by
 * the caller with the last event's cursor so nothing is missed.
 */
const sse = createClient({ url: '/graphql', singleConnection: false, retryAttempts: 0, headers: gatewayHeaders })

export function subscribe<T, V>(document: TypedDocumentString<T, V>, variables: V, onData: (data: T) => void, onEnd: (error: unknown) => void): () => void {
  return sse.subscribe<T>(
    { query: document.toString(), variables: variables as Record<string, unknown> },
    {
      next: (result) => {
        if (result.data) onData(result.data)
      },
      error: onEnd,
      complete: () => onEnd(null),
    },
  )
}
