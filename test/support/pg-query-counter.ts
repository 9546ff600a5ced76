import { startTcpProxy } from './tcp-proxy.js'

/**
 * A loopback proxy in front of a real PostgreSQL server that counts the
 * statements clients send: each simple query ('Q') and each extended-query
 * round (ending in Sync, 'S'), read from the frontend protocol's framing.
 */
export interface PgQueryCounter {
  port: number
  readonly queries: number
  close(): Promise<void>
}

export async function startPgQueryCounter(targetHost: string, targetPort: number): Promise<PgQueryCounter> {
  const counter = { queries: 0 }
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
    close: () => proxy.cut(),
  }
}
