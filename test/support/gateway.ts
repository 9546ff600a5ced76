import type { TypedDocumentNode } from '@graphql-typed-document-node/core'
import { print } from 'graphql'
import { type ConfigInput, parseConfig } from '../../src/config.js'
import { type Gateway, createGateway } from '../../src/server.js'
import { type Engine, nativeBackendConfig } from './engines.js'

export interface GraphQLResponse<T> {
  data?: T | null
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; backend?: string } }[]
}

export interface TestGateway {
  gateway: Gateway
  /** Runs an operation through the real HTTP handler (yoga.fetch), not a resolver call. */
  request<T, V>(document: TypedDocumentNode<T, V>, variables?: V): Promise<GraphQLResponse<T>>
  /** Like `request`, but fails the test on any error and returns the data. */
  data<T, V>(document: TypedDocumentNode<T, V>, variables?: V): Promise<T>
  close(): Promise<void>
}

export async function startTestGateway(config: ConfigInput): Promise<TestGateway> {
  const gateway = await createGateway(parseConfig(config))
  const request = async <T, V>(document: TypedDocumentNode<T, V>, variables?: V): Promise<GraphQLResponse<T>> => {
    const response = await gateway.yoga.fetch('http://mlgate/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: print(document), variables }),
    })
    return (await response.json()) as GraphQLResponse<T>
  }
  return {
    gateway,
    request,
    async data(document, variables) {
      const result = await request(document, variables)
      if (result.errors?.length || !result.data) {
        throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`)
      }
      return result.data
    },
    close: () => gateway.close(),
  }
}

/** One native backend `local` on the engine. */
export function startNativeGateway(engine: Engine): Promise<TestGateway> {
  return startTestGateway({ backends: [nativeBackendConfig(engine)] })
}

/** The codes of a response's errors, for assertions. */
export const errorCodes = (response: GraphQLResponse<unknown>) => (response.errors ?? []).map((error) => error.extensions?.code)
