import { type DocumentNode, type ExecutionArgs, type ExecutionResult, createSourceEventStream, execute } from 'graphql'
import type { Plugin } from 'graphql-yoga'

/**
 * Subscription events some subscribers share, executed once.
 *
 * A source event (the object a subscription field's stream yields) may
 * carry a `shareKey`: two subscribers whose events have the same share key,
 * and whose operations are the same document with the same variables,
 * would get the same result. Such an event is executed for the first of
 * them and the result reused for the rest, serialized once (yoga calls a
 * result's own `stringify`). With a thousand dashboards on one run, that is
 * one execution per logged batch instead of a thousand.
 */
export interface SharedEvent {
  readonly shareKey: string
}

/** Results kept per document: enough for every subscriber to catch up with recent events. */
const RESULTS_PER_DOCUMENT = 512

export function sharedSubscriptionEventsPlugin(): Plugin {
  const results = new WeakMap<DocumentNode, Map<string, Promise<ExecutionResult>>>()
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(async (args: ExecutionArgs) => {
        const source = await createSourceEventStream(args)
        if (!(Symbol.asyncIterator in source)) return source
        const variables = JSON.stringify([args.operationName ?? null, args.variableValues ?? null])
        return mapEvents(source, (event) => {
          if (!isSharedEvent(event)) return executeEvent(args, event)
          let byKey = results.get(args.document)
          if (!byKey) results.set(args.document, (byKey = new Map()))
          const key = `${variables}\u0000${event.shareKey}`
          let result = byKey.get(key)
          if (!result) {
            result = executeEvent(args, event).then(withCachedStringify)
            byKey.set(key, result)
            if (byKey.size > RESULTS_PER_DOCUMENT) byKey.delete(byKey.keys().next().value as string)
          }
          return result
        })
      })
    },
  }
}

function isSharedEvent(event: unknown): event is SharedEvent {
  return typeof event === 'object' && event !== null && 'shareKey' in event && typeof event.shareKey === 'string'
}

/** What graphql-js's subscribe does per event: execute the operation with the event as the root value. */
async function executeEvent(args: ExecutionArgs, event: unknown): Promise<ExecutionResult> {
  return execute({ ...args, rootValue: event })
}

/** A result without errors serializes the same for everyone: once. (Errors are reworded per response by yoga, so those are left alone.) */
function withCachedStringify(result: ExecutionResult): ExecutionResult {
  if (result.errors?.length) return result
  let json: string | undefined
  Object.defineProperty(result, 'stringify', { value: () => (json ??= JSON.stringify(result)), enumerable: false })
  return result
}

/** The source stream mapped through `map`, ending (and ending the source) when the subscriber leaves. */
function mapEvents<T>(source: AsyncIterable<unknown>, map: (event: unknown) => Promise<T>): AsyncIterableIterator<T> {
  const iterator = source[Symbol.asyncIterator]()
  return {
    async next() {
      const step = await iterator.next()
      return step.done ? { done: true, value: undefined } : { done: false, value: await map(step.value) }
    },
    async return() {
      await iterator.return?.()
      return { done: true, value: undefined }
    },
    async throw(error?: unknown) {
      await iterator.return?.()
      throw error
    },
    [Symbol.asyncIterator]() {
      return this
    },
  }
}
