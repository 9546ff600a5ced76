/** What the gateway tells its dashboard (src/http/dashboard.ts): which backend MLflow's links name. */
export interface DashboardSettings {
  mlflowApiBackend: string | null
}

export async function loadSettings(): Promise<DashboardSettings> {
  const response = await fetch('/dashboard/settings.json')
  return (await response.json()) as DashboardSettings
}
