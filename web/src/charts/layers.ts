/**
 * A lineage graph's layers: the root in layer 0, what it depends on to the
 * left (negative), what depends on it to the right. An edge points from the
 * dependent record to what it depends on (a version is PRODUCED_BY a run),
 * so an edge's `to` sits one layer left of its `from`. Found breadth-first,
 * so each node takes the layer of its shortest path from the root.
 */
export function layersOf(rootId: string, edges: readonly { from: string; to: string }[]): Map<string, number> {
  const layer = new Map<string, number>([[rootId, 0]])
  const queue = [rootId]
  while (queue.length > 0) {
    const id = queue.shift() as string
    const at = layer.get(id) as number
    for (const edge of edges) {
      const next = edge.from === id ? { node: edge.to, at: at - 1 } : edge.to === id ? { node: edge.from, at: at + 1 } : null
      if (next && !layer.has(next.node)) {
        layer.set(next.node, next.at)
        queue.push(next.node)
      }
    }
  }
  return layer
}
