import type { ApiTarget } from './target.js'

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE'

/** One endpoint of MLflow's REST API 2.0. */
export interface Route {
  method: HttpMethod
  /** Under `/api/2.0/mlflow/` (or 3.0, with `version: 3`); `:name` segments become parameters. */
  path: string
  /** The API version MLflow serves it under (its auth app's role and grant endpoints are 3.0); default 2. */
  version?: 2 | 3
  /** What a CONFLICT means here: a taken name (creating) or a bad value (anything else). */
  conflict?: 'RESOURCE_ALREADY_EXISTS'
  /** `params`: query string, JSON body and path parameters, merged. Resolves with the answer's JSON. */
  handle(params: Record<string, unknown>, target: ApiTarget): Promise<object>
}
