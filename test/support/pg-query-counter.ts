import { startTcpProxy } from './tcp-proxy.js'

/**
 * A loopback proxy in front of a real PostgreSQL server that counts the
 * statements clients send: each simple query ('Q') and each extended-query
 * round (ending in Sync, 'S'), read from the frontend protocol's framing.
 */
export interface PgQueryCounter {
  port: number
  readonly queries: number
  /** With `keepTexts`, the text of each statement parsed or sent (its first 300 characters), in order, for a benchmark to show what it counted; else empty. */
  readonly texts: string[]
  close(): Promise<void>
}

export async function startPgQueryCounter(targetHost: string, targetPort: number, options: { keepTexts?: boolean } = {}): Promise<PgQueryCounter> {
  const counter = { queries: 0, texts: [] as string[] }
  const proxy = await startTcpProxy(targetHost, targetPort, {
    onClientConnection: () => {
      let buffered = Buffer.alloc(0)
      let started = false // the startup message (and an SSL request) have no type byte
      return (chunk) => {
        buffered = Buffer.concat([buffered, chunk])
        for (;;) {
          if (buffered.length < (started ? 5 : 4)) break
          const length = started ? buffered.readInt32BE(1) + 1 : buffered.readInt32BE(0)
          if (buffered.length < length) break
          if (started) {
            const type = String.fromCharCode(buffered[0])
            if (type === 'Q' || type === 'S') counter.queries += 1
            // Parse: name, then the statement; Query: the statement (both NUL-terminated).
            if (options.keepTexts && type === 'P') counter.texts.push(textAfter(buffered.subarray(5, length), 1))
            if (options.keepTexts && type === 'Q') counter.texts.push(textAfter(buffered.subarray(5, length), 0))
          } else if (buffered.readInt32BE(4) !== 80877103) {
            started = true // a StartupMessage, not an SSLRequest
          }
          buffered = buffered.subarray(length)
        }
      }
    },
  })
  return {
    port: proxy.port,
    get queries() {
      return counter.queries
    },
    texts: counter.texts,
    close: () => proxy.cut(),
  }
}

/** The `skip`-th NUL-terminated string of a message body, cut to 300 characters. */
function textAfter(body: Buffer, skip: number): string {
  let start = 0
  for (let i = 0; i < skip; i++) start = body.indexOf(0, start) + 1
  const end = body.indexOf(0, start)
  return body.subarray(start, end < 0 ? body.length : end).toString('utf8').slice(0, 300)
}
