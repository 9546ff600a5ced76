import { DashboardBackendsDocument } from '../generated/graphql'
import { useGraphql } from '../graphql'

/** One badge per backend: up, down, or up with its circuit open (answering from nothing until it recovers). */
export function HealthBadges() {
  const { answer } = useGraphql(DashboardBackendsDocument, {}, 'backends')
  return (
    <span class="badges">
      {(answer?.data?.backends ?? []).map((backend) => {
        const state = backend.health.state === 'DOWN' ? 'down' : backend.health.circuit === 'CLOSED' ? 'up' : 'degraded'
        return (
          <span key={backend.id} class={`badge ${state}`} data-backend={backend.id} data-health={state} title={backend.health.lastError ?? `${backend.kind}: ${state}`}>
            {backend.id}
          </span>
        )
      })}
    </span>
  )
}
