import { DraftInput } from '../components/draft-input'
import { PartialBanner } from '../components/partial-banner'
import { DashboardBackendsDocument, DashboardModelVersionsDocument, type ModelVersionFilter, type Promotion } from '../generated/graphql'
import { useGraphql } from '../graphql'
import { type ModelsState, modelsLink, navigate, versionLink } from '../route'

const PAGE_SIZE = 50
const PROMOTIONS: readonly Promotion[] = ['PRODUCTION', 'CANDIDATE', 'RETIRED', 'NONE']

/** Every registry's versions (native, MLflow, SageMaker) in one table, in one promotion vocabulary, filtered by promotion, backend and name. */
export function ModelsPage(props: { state: ModelsState }) {
  const { state } = props
  const go = (change: Partial<ModelsState>) => navigate(modelsLink({ ...state, after: null, ...change }))
  const promotion = PROMOTIONS.find((known) => known === state.promotion)
  const filter: ModelVersionFilter = {
    ...(promotion && { promotion: [promotion] }),
    ...(state.name.trim() !== '' && { modelName: { op: 'ILIKE', value: `%${state.name.trim()}%` } }),
  }
  const variables = { backends: state.backend ? [state.backend] : null, filter, first: PAGE_SIZE, after: state.after }
  const { answer } = useGraphql(DashboardModelVersionsDocument, variables, JSON.stringify(variables))
  const backends = useGraphql(DashboardBackendsDocument, {}, 'backends').answer?.data?.backends ?? []
  const versions = answer?.data?.modelVersions ?? null
  return (
    <section>
      <h1>Models{versions?.totalCount != null && <small> ({versions.totalCount} versions)</small>}</h1>
      <form
        class="filter"
        onSubmit={(event) => {
          event.preventDefault()
          const name = new FormData(event.currentTarget).get('name')
          go({ name: typeof name === 'string' ? name : '' })
        }}
      >
        <select name="promotion" aria-label="Promotion" value={state.promotion ?? ''} onChange={(event) => go({ promotion: event.currentTarget.value || null })}>
          <option value="">Any promotion</option>
          {PROMOTIONS.map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </select>
        <select name="backend" aria-label="Backend" value={state.backend ?? ''} onChange={(event) => go({ backend: event.currentTarget.value || null })}>
          <option value="">Every registry</option>
          {backends.map((backend) => (
            <option key={backend.id} value={backend.id}>
              {backend.id}
            </option>
          ))}
        </select>
        <DraftInput name="name" label="Model name" placeholder="Model name contains…" applied={state.name} />
        <button type="submit">Filter</button>
      </form>
      <PartialBanner errors={answer?.errors ?? []} what="versions" />
      {versions === null ? (
        answer === null && <p>Loading…</p>
      ) : (
        <table class="models">
          <thead>
            <tr>
              <th>Model</th>
              <th>Version</th>
              <th>Promotion</th>
              <th>Stage / approval</th>
              <th>Backend</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {versions.nodes.map((version) => (
              <tr key={version.id} data-version={version.id}>
                <td>{version.model?.name ?? ''}</td>
                <td>
                  <a href={versionLink(version.id)}>v{version.version}</a>
                </td>
                <td>
                  <span class={`promotion ${version.promotion.toLowerCase()}`}>{version.promotion}</span>
                </td>
                <td>{version.stage ?? version.approvalStatus ?? ''}</td>
                <td>{version.backend.id}</td>
                <td>{new Date(version.createdAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="pager">
        <button type="button" disabled={state.after === null} onClick={() => history.back()}>
          Previous
        </button>
        <button type="button" disabled={!versions?.pageInfo.hasNextPage} onClick={() => go({ after: versions?.pageInfo.endCursor ?? null })}>
          Next
        </button>
      </p>
    </section>
  )
}
