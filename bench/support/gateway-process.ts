export { startGatewayProcess } from '../../test/support/gateway-process.js'

/** A GraphQL client for the benchmarks: fails loudly on any error. */
export function graphqlClient(port: number) {
  const endpoint = `http://127.0.0.1:${port}/graphql`
  return async <T>(query: string, variables: unknown = {}): Promise<T> => {
    const response = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) })
    const body = (await response.json()) as { data?: T; errors?: unknown }
    if (body.errors || !body.data) throw new Error(JSON.stringify(body.errors))
    return body.data
  }
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}
