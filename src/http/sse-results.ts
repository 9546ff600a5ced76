import type { ExecutionResult } from 'graphql'
import { type Plugin, isAsyncIterable } from 'graphql-yoga'
import { Readable } from 'node:stream'

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
        // A Node stream, which yoga's fetch ponyfill (used on Node) pipes straight into the
        // response: a WHATWG stream would add a bridge between every event and its write.
        const body = new SseStream(events[Symbol.asyncIterator]())
        return new fetchAPI.Response(body as unknown as ReadableStream<Uint8Array>, {
          status: 200,
          headers: { 'Content-Type': 'text/event-stream', Connection: 'keep-alive', 'Cache-Control': 'no-cache', 'Content-Encoding': 'none' },
        })
      }, 'text/event-stream')
    },
  }
}

/** One subscriber's events as SSE frames, read as the response can take them; destroyed (client gone), it ends the subscription. */
class SseStream extends Readable {
  private readonly ping: NodeJS.Timeout
  /** A ping pushed while an event is awaited makes Node ask again; one `next()` at a time keeps events in order. */
  private waiting = false

  constructor(private readonly events: AsyncIterator<ExecutionResult>) {
    super()
    this.push(PING) // some browsers wait for a first chunk before they see the headers
    this.ping = setInterval(() => {
      if (this.readableLength < this.readableHighWaterMark) this.push(PING)
    }, PING_MS)
  }

  override _read(): void {
    if (this.waiting) return
    this.waiting = true
    this.events.next().then(
      (step) => {
        this.waiting = false
        if (this.destroyed) return
        if (step.value != null) this.push(encodeNext(step.value))
        if (step.done) {
          clearInterval(this.ping)
          this.push(COMPLETE)
          this.push(null)
        }
      },
      (error: unknown) => this.destroy(error instanceof Error ? error : new Error(String(error))),
    )
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearInterval(this.ping)
    Promise.resolve(this.events.return?.()).then(
      () => callback(error),
      () => callback(error),
    )
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
