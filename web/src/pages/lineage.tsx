import { layersOf } from '../charts/layers'
import { PartialBanner } from '../components/partial-banner'
import { DashboardLineageDocument, type DashboardLineageQuery } from '../generated/graphql'
import { useGraphql } from '../graphql'
import { lineageLink, recordLink } from '../route'

const NODE_WIDTH = 200
const NODE_HEIGHT = 46
const COLUMN_GAP = 110
const ROW_GAP = 18
const DEPTH = 3

type LineageNode = DashboardLineageQuery['lineage']['nodes'][number]

/**
 * Where a record came from and what came of it, as a layered graph: what
 * it depends on to the left, what depends on it to the right, each edge
 * labelled with its kind, unresolved references dashed with their reason,
 * every node linking to its page.
 */
export function LineagePage(props: { gid: string }) {
  const { answer } = useGraphql(DashboardLineageDocument, { id: props.gid, depth: DEPTH }, props.gid)
  if (answer === null) return <p>Loading…</p>
  const graph = answer.data?.lineage
  if (!graph) return <PartialBanner errors={answer.errors} what="records" />
  const layers = layersOf(graph.root.id, graph.edges)
  const columns = [...new Set(layers.values())].sort((a, b) => a - b)
  const position = new Map<string, { x: number; y: number }>()
  for (const [columnIndex, column] of columns.entries()) {
    const inColumn = graph.nodes.filter((node) => layers.get(node.id) === column)
    inColumn.forEach((node, row) => position.set(node.id, { x: columnIndex * (NODE_WIDTH + COLUMN_GAP), y: row * (NODE_HEIGHT + ROW_GAP) }))
  }
  const width = columns.length * (NODE_WIDTH + COLUMN_GAP) - COLUMN_GAP + 2
  const height = Math.max(...[...position.values()].map((point) => point.y), 0) + NODE_HEIGHT + 2
  return (
    <section>
      <h1>Lineage</h1>
      <PartialBanner errors={answer.errors} what="records" />
      {graph.truncated && <p class="banner">The graph was cut at its node limit; open a node's lineage to go further.</p>}
      <svg class="lineage" width={width} height={height} viewBox={`-1 -1 ${width} ${height}`} role="img" aria-label="Lineage graph">
        {graph.edges.map((edge) => {
          const from = position.get(edge.from)
          const to = position.get(edge.to)
          if (!from || !to) return null
          // Drawn from what is depended on (left) to the dependent record (right).
          const [left, right] = to.x <= from.x ? [to, from] : [from, to]
          const x1 = left.x + NODE_WIDTH
          const y1 = left.y + NODE_HEIGHT / 2
          const x2 = right.x
          const y2 = right.y + NODE_HEIGHT / 2
          return (
            <g key={`${edge.from}>${edge.kind}>${edge.to}`} class="edge" data-kind={edge.kind}>
              <title>{edge.evidence}</title>
              <path d={`M${x1},${y1} C${x1 + COLUMN_GAP / 2},${y1} ${x2 - COLUMN_GAP / 2},${y2} ${x2},${y2}`} />
              <text x={(x1 + x2) / 2} y={(y1 + y2) / 2 - 4}>
                {edge.kind}
              </text>
            </g>
          )
        })}
        {graph.nodes.map((node) => {
          const at = position.get(node.id)
          if (!at) return null
          const unresolved = node.__typename === 'UnresolvedRef'
          return (
            <a key={node.id} href={unresolved ? undefined : node.id === graph.root.id ? lineageLink(node.id) : recordLink(node.__typename, node.id)} data-node={node.id} data-type={node.__typename}>
              <g class={`node ${unresolved ? 'unresolved' : ''} ${node.id === graph.root.id ? 'root' : ''}`} transform={`translate(${at.x},${at.y})`}>
                <title>{unresolved && 'reason' in node ? `${node.uri}: ${node.reason}` : node.id}</title>
                <rect width={NODE_WIDTH} height={NODE_HEIGHT} rx={6} />
                <text x={8} y={17} class="type">
                  {node.__typename}
                </text>
                <text x={8} y={35}>
                  {clip(labelOf(node), 26)}
                </text>
              </g>
            </a>
          )
        })}
      </svg>
    </section>
  )
}

function labelOf(node: LineageNode): string {
  switch (node.__typename) {
    case 'Run':
    case 'Experiment':
    case 'RegisteredModel':
      return node.name
    case 'ModelVersion':
      return `${node.model?.name ?? ''} v${node.version} · ${node.promotion}`
    case 'Dataset':
      return `${node.name} (${node.digest.slice(0, 8)})`
    case 'UnresolvedRef':
      return `${node.uri} — ${node.reason}`
  }
}

const clip = (text: string, length: number) => (text.length > length ? `${text.slice(0, length - 1)}…` : text)
