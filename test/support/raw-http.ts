import { request as httpRequest } from 'node:http'

export interface RawAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  json<T = Record<string, unknown>>(): T
}

/**
 * One HTTP request exactly as given: the path is sent byte for byte (no URL
 * normalization, so `%ZZ` and `//` reach the server), and any header can be
 * set, Host and Origin included. Resolves with the whole answer.
 */
export function rawHttp(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer; localAddress?: string },
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: { host: `127.0.0.1:${port}`, ...options.headers },
        setHost: false,
        localAddress: options.localAddress,
      },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json: <T>() => JSON.parse(text) as T })
        })
        response.on('error', reject)
      },
    )
    request.on('error', reject)
    request.end(options.body)
  })
}

/** The gateway process still answers `/health`. */
export async function isUp(port: number): Promise<boolean> {
  try {
    return (await rawHttp(port, { path: '/health' })).status === 200
  } catch {
    return false
  }
}
