import { type Server, type Socket, connect, createServer } from 'node:net'

/**
 * A loopback TCP proxy in front of a real peer, so a test can cut the peer
 * off (every connection reset, new ones refused) without stopping it, or
 * watch what clients send it (`onClientConnection` gives each connection
 * its own observer of the bytes the client sends).
 */
export interface TcpProxy {
  port: number
  cut(): Promise<void>
}

export async function startTcpProxy(
  targetHost: string,
  targetPort: number,
  options: { onClientConnection?: () => (chunk: Buffer) => void } = {},
): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, targetHost)
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => socket.destroy())
    }
    const observe = options.onClientConnection?.()
    if (observe) client.on('data', observe)
    client.pipe(upstream).pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as { port: number }).port,
    cut: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
