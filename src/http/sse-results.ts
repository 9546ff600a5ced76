import type { ExecutionResult } from 'graphql'
import { type Plugin, isAsyncIterable } from 'graphql-yoga'

/**
 * GraphQL over SSE for subscriptions, writing each event as one chunk and
 * encoding a shared event's bytes once for all its subscribers (see
 * shared-subscription-events.ts): yoga's own SSE processor encodes two
 * chunks per event per subscriber. The wire format is yoga's (and
 * graphql-sse's distinct-connections mode): a `:` ping at once and every
 * 12 s, `event: next` with the result as `data`, `event: complete` at the end.
 */
const PING_MS = 12_000
const encoder = new TextEncoder()
const PING = encoder.encode(':\n\n')
const COMPLETE = encoder.encode('event: complete\ndata:\n\n')

/** Bytes of a shared result's `next` event, encoded once. */
const encodedEvents = new WeakMap<object, Uint8Array>()

export function sseResultsPlugin(): Plugin {
  return {
    onResultProcess({ request, result, setResultProcessor }) {
      if (!isAsyncIterable(result) || !acceptsEventStream(request)) return
      setResultProcessor((events, fetchAPI) => {
        if (!isAsyncIterable(events)) throw new Error('an SSE stream needs a stream of results')
        const iterator = events[Symbol.asyncIterator]()
        let ping: NodeJS.Timeout | undefined
        const body = new fetchAPI.ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(PING) // some browsers wait for a first chunk before they see the headers
            ping = setInterval(() => {
              if (controller.desiredSize === null) clearInterval(ping)
              else if (controller.desiredSize > 0) controller.enqueue(PING)
            }, PING_MS)
          },
          async pull(controller) {
            try {
              const step = await iterator.next()
              if (step.value != null) controller.enqueue(encodeNext(step.value))
              if (step.done) {
                controller.enqueue(COMPLETE)
                clearInterval(ping)
                controller.close()
              }
            } catch (error) {
              clearInterval(ping)
              controller.error(error)
            }
          },
          async cancel() {
            clearInterval(ping)
            await iterator.return?.()
          },
        })
        return new fetchAPI.Response(body, {
          status: 200,
          headers: { 'Content-Type': 'text/event-stream', Connection: 'keep-alive', 'Cache-Control': 'no-cache', 'Content-Encoding': 'none' },
        })
      }, 'text/event-stream')
    },
  }
}

function encodeNext(result: ExecutionResult & { stringify?: (result: ExecutionResult) => string }): Uint8Array {
  const cached = encodedEvents.get(result)
  if (cached) return cached
  // A shared result carries its own cached `stringify`; any other is written as yoga writes it: without its HTTP internals.
  const json = result.stringify ? result.stringify(result) : JSON.stringify(toWire(result))
  const bytes = encoder.encode(`event: next\ndata: ${json}\n\n`)
  if (result.stringify) encodedEvents.set(result, bytes)
  return bytes
}

function toWire(result: ExecutionResult): Record<string, unknown> {
  const { http: _http, ...extensions } = result.extensions ?? {}
  return {
    ...(result.errors?.length && {
      errors: result.errors.map((error) => {
        const { http: _errorHttp, ...errorExtensions } = error.extensions ?? {}
        return { ...error.toJSON(), extensions: Object.keys(errorExtensions).length > 0 ? errorExtensions : undefined }
      }),
    }),
    ...('data' in result && { data: result.data }),
    ...(Object.keys(extensions).length > 0 && { extensions }),
  }
}

function acceptsEventStream(request: Request): boolean {
  return (request.headers.get('accept') ?? '').toLowerCase().includes('text/event-stream')
}
