import { useEffect, useState } from 'preact/hooks'
import { KeyValues } from '../components/key-values'
import { PartialBanner } from '../components/partial-banner'
import { DashboardRunDocument } from '../generated/graphql'
import { gatewayHeaders, useGraphql } from '../graphql'
import { compareLink, lineageLink, runLink, versionLink } from '../route'
import type { DashboardSettings } from '../settings'
import { ComparePage } from './compare'

/**
 * One run: what it is, its params, tags, datasets and latest metrics, its
 * artifacts, the model versions it produced, its parent and children, and
 * its charts (live while it runs).
 */
export function RunPage(props: { runGid: string; settings: DashboardSettings }) {
  const { answer } = useGraphql(DashboardRunDocument, { id: props.runGid }, props.runGid)
  const run = answer === null ? undefined : (answer.data?.run ?? null)
  if (run === undefined) return <p>Loading…</p>
  if (run === null) {
    // A missing record is not an error to show (the lineage beside it says NOT_FOUND too).
    const failures = (answer?.errors ?? []).filter((error) => error.extensions?.code !== 'NOT_FOUND')
    if (failures.length > 0) return <PartialBanner errors={failures} what="records" />
    return <p role="alert">No such run (or not one you may read).</p>
  }
  const children = (answer?.data?.lineage.edges ?? []).filter((edge) => edge.kind === 'CHILD_OF' && edge.to === run.id).map((edge) => edge.from)
  const childNodes = (answer?.data?.lineage.nodes ?? []).filter((node) => node.__typename === 'Run' && children.includes(node.id))
  return (
    <section class="run">
      <h1>{run.name}</h1>
      <p class="actions">
        <a href={lineageLink(run.id)}>Lineage</a>
        <a href={compareLink({ runs: [run.id], x: 'step', logScale: false, smoothing: 0 })}>Open in Compare</a>
      </p>
      <dl>
        <dt>Backend</dt>
        <dd>{run.backend.id}</dd>
        <dt>Experiment</dt>
        <dd>{run.experiment?.name ?? ''}</dd>
        <dt>Status</dt>
        <dd data-status={run.status}>{run.status}</dd>
        <dt>Started</dt>
        <dd>{run.startTime ? new Date(run.startTime).toLocaleString() : ''}</dd>
        <dt>Ended</dt>
        <dd>{run.endTime ? new Date(run.endTime).toLocaleString() : ''}</dd>
        <dt>Parent</dt>
        <dd>{run.parent ? <a href={runLink(run.parent.id)}>{run.parent.name}</a> : '—'}</dd>
        <dt>Children</dt>
        <dd class="children">
          {childNodes.length === 0
            ? '—'
            : childNodes.map((child) => (
                <a key={child.id} href={runLink(child.id)}>
                  {'name' in child ? child.name : child.id}
                </a>
              ))}
        </dd>
      </dl>
      <h2>Charts</h2>
      {run.metrics.length === 0 ? <p>No metrics logged yet.</p> : <ComparePage state={{ runs: [run.id], x: 'step', logScale: false, smoothing: 0 }} embedded />}
      <h2>Metrics (latest)</h2>
      <KeyValues rows={run.metrics.map((metric) => ({ key: metric.key, value: `${String(metric.value)} (step ${metric.step})` }))} />
      <h2>Params</h2>
      <KeyValues rows={run.params} />
      <h2>Tags</h2>
      <KeyValues rows={run.tags} />
      <h2>Datasets</h2>
      {run.datasets.length === 0 ? (
        <p>None.</p>
      ) : (
        <table class="datasets">
          <thead>
            <tr>
              <th>Name</th>
              <th>Digest</th>
              <th>Context</th>
              <th>Source</th>
            </tr>
          </thead>
          <tbody>
            {run.datasets.map((input) => (
              <tr key={input.dataset.id}>
                <td>{input.dataset.name}</td>
                <td>{input.dataset.digest}</td>
                <td>{input.context ?? ''}</td>
                <td>{[input.dataset.sourceType, input.dataset.source].filter(Boolean).join(': ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Model versions produced</h2>
      {run.modelVersions.length === 0 ? (
        <p>None.</p>
      ) : (
        <ul class="versions">
          {run.modelVersions.map((version) => (
            <li key={version.id}>
              <a href={versionLink(version.id)}>
                {version.model?.name ?? ''} v{version.version}
              </a>{' '}
              <span class={`promotion ${version.promotion.toLowerCase()}`}>{version.promotion}</span> <small>{version.backend.id}</small>
            </li>
          ))}
        </ul>
      )}
      <h2>Artifacts</h2>
      {run.backend.id === props.settings.mlflowApiBackend ? <Artifacts runId={run.nativeId} path="" /> : <p>Stored at {run.artifactUri ?? 'no location'} (the gateway serves the artifacts of {props.settings.mlflowApiBackend ?? 'no backend'}).</p>}
    </section>
  )
}

interface FileInfo {
  path: string
  is_dir: boolean
  file_size?: number
}

/**
 * A run's artifacts through the MLflow API's own listing (the proxy that
 * stores them), a directory opened on demand; files download through
 * `/get-artifact` with the signed-in user's credentials.
 */
function Artifacts(props: { runId: string; path: string }) {
  const [files, setFiles] = useState<FileInfo[] | null | 'failed'>(null)
  useEffect(() => {
    const query = new URLSearchParams({ run_id: props.runId, ...(props.path && { path: props.path }) })
    void fetch(`/api/2.0/mlflow/artifacts/list?${query}`, { headers: gatewayHeaders() })
      .then(async (response) => (response.ok ? (((await response.json()) as { files?: FileInfo[] }).files ?? []) : 'failed'))
      .catch(() => 'failed' as const)
      .then(setFiles)
  }, [props.runId, props.path])
  if (files === null) return <p>Loading…</p>
  if (files === 'failed') return <p role="alert">The artifacts could not be listed.</p>
  if (files.length === 0) return props.path === '' ? <p>None.</p> : null
  return (
    <ul class="artifacts">
      {files.map((file) => (
        <li key={file.path}>
          {file.is_dir ? (
            <details>
              <summary>{file.path.split('/').pop()}/</summary>
              <Artifacts runId={props.runId} path={file.path} />
            </details>
          ) : (
            <button type="button" class="link" data-artifact={file.path} onClick={() => void download(props.runId, file.path)}>
              {file.path.split('/').pop()} <small>{file.file_size ?? 0} bytes</small>
            </button>
          )}
        </li>
      ))}
    </ul>
  )
}

/** A download that carries the Authorization header a plain link could not. */
async function download(runId: string, path: string): Promise<void> {
  const response = await fetch(`/get-artifact?${new URLSearchParams({ path, run_uuid: runId })}`, { headers: gatewayHeaders() })
  if (!response.ok) return
  const url = URL.createObjectURL(await response.blob())
  const link = Object.assign(document.createElement('a'), { href: url, download: path.split('/').pop() ?? 'artifact' })
  link.click()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
