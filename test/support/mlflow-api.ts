/** Seeding and reading an MLflow server through its own REST API, as its users would. */
export function mlflowApi(baseUrl: string) {
  /**
   * Any call, answered with its status and JSON body, errors included. GET
   * sends `body` as query parameters; a string body is sent as it is.
   */
  const request = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown, prefix = '/api/2.0/mlflow/') => {
    const url = new URL(`${baseUrl}${prefix}${path}`)
    // Lists as repeated parameters (run_ids=a&run_ids=b), as MLflow's clients send them.
    if (method === 'GET' && body) for (const [k, v] of Object.entries(body)) for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(item))
    const response = await fetch(url, {
      method,
      headers: { 'content-type': 'application/json' },
      body: method === 'GET' || body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    })
    const text = await response.text()
    return { status: response.status, text, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> & { error_code?: string; message?: string } }
  }
  const call = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    const answer = await request(method, path, body)
    if (answer.status !== 200) throw new Error(`MLflow ${path}: ${answer.status} ${answer.text.slice(0, 300)}`)
    return answer.body as T
  }
  return {
    request,
    post: <T = Record<string, unknown>>(path: string, body: unknown) => call<T>('POST', path, body),
    get: <T = Record<string, unknown>>(path: string, query: Record<string, string | number>) => call<T>('GET', path, query),
    async createExperiment(name: string): Promise<string> {
      return (await call<{ experiment_id: string }>('POST', 'experiments/create', { name })).experiment_id
    },
    async createRun(experimentId: string, fields: { name?: string; startTime?: number; tags?: Record<string, string> } = {}): Promise<string> {
      const { run } = await call<{ run: { info: { run_id: string } } }>('POST', 'runs/create', {
        experiment_id: experimentId,
        run_name: fields.name,
        start_time: fields.startTime ?? Date.now(),
        tags: Object.entries(fields.tags ?? {}).map(([key, value]) => ({ key, value })),
      })
      return run.info.run_id
    },
    logBatch(runId: string, batch: { metrics?: { key: string; value: number | string; step?: number; timestamp?: number }[]; params?: Record<string, string>; tags?: Record<string, string> }) {
      return call('POST', 'runs/log-batch', {
        run_id: runId,
        metrics: (batch.metrics ?? []).map((m) => ({ timestamp: 1_700_000_000_000, step: 0, ...m })),
        params: Object.entries(batch.params ?? {}).map(([key, value]) => ({ key, value })),
        tags: Object.entries(batch.tags ?? {}).map(([key, value]) => ({ key, value })),
      })
    },
    async searchRunIds(experimentIds: string[], filter?: string, orderBy?: string[]): Promise<string[]> {
      const ids: string[] = []
      let token: string | undefined
      do {
        const page = await call<{ runs?: { info: { run_id: string } }[]; next_page_token?: string }>('POST', 'runs/search', {
          experiment_ids: experimentIds,
          filter,
          order_by: orderBy,
          max_results: 1000,
          page_token: token,
        })
        ids.push(...(page.runs ?? []).map((run) => run.info.run_id))
        token = page.next_page_token
      } while (token)
      return ids
    },
  }
}
