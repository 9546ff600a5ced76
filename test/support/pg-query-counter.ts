import { type Server, type Socket, connect, createServer } from 'node:net'

/**
 * A loopback proxy in front of a real PostgreSQL server that counts the
 * statements clients send: each simple query ('Q') and each extended-query
 * round (ending in Sync, 'S'), read from the frontend protocol's framing.
 */
export interface PgQueryCounter {
  port: number
  queries: number
  close(): Promise<void>
}

export async function startPgQueryCounter(targetHost: string, targetPort: number): Promise<PgQueryCounter> {
  const sockets = new Set<Socket>()
  const counter: PgQueryCounter = { port: 0, queries: 0, close: async () => {} }
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, targetHost)
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => socket.destroy())
    }
    let buffered = Buffer.alloc(0)
    let started = false // the startup message (and an SSL request) have no type byte
    client.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk])
      for (;;) {
        const headerLength = started ? 5 : 4
        if (buffered.length < headerLength) break
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
      upstream.write(chunk)
    })
    upstream.pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  counter.port = (server.address() as { port: number }).port
  counter.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => resolve())
    })
  return counter
}
