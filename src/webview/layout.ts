/**
 * Layered layout of a plan with dagre (no hand-written layout): nodes top-left positioned, edges as
 * polylines, and each node's row (rank) for keyboard navigation. Pure: runs in Node for the tests.
 */
// dagre ships ESM types with a CommonJS build; this CommonJS-compiled file takes the CommonJS build (esbuild
// bundles it for the webview, tsx loads it in the tests) typed by the ESM declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dagre = (require('@dagrejs/dagre') as typeof import('@dagrejs/dagre', { with: { 'resolution-mode': 'import' } })).default;
import type { Plan } from '../core/plan/schema';

export interface Point {
  x: number;
  y: number;
}

export interface LayoutNode {
  id: string;
  /** Top-left corner. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** 0-based layer, counted along the layout direction. */
  rank: number;
}

export interface LayoutEdge {
  from: string;
  to: string;
  points: Point[];
}

export interface GraphLayout {
  nodes: Map<string, LayoutNode>;
  edges: LayoutEdge[];
  width: number;
  height: number;
}

export interface LayoutOptions {
  nodeWidth: number;
  nodeHeight: number;
  /** Top-to-bottom (the panel) or left-to-right (the narrow sidebar uses TB too, but compact). */
  direction: 'TB' | 'LR';
  nodeSep: number;
  rankSep: number;
  margin: number;
}

export const PANEL_LAYOUT: LayoutOptions = { nodeWidth: 200, nodeHeight: 52, direction: 'TB', nodeSep: 28, rankSep: 48, margin: 24 };
export const COMPACT_LAYOUT: LayoutOptions = { nodeWidth: 22, nodeHeight: 22, direction: 'TB', nodeSep: 10, rankSep: 18, margin: 6 };

/** Lays out the plan's tasks and dependency edges (unknown deps are skipped). */
export function layoutPlan(plan: Plan, options: LayoutOptions = PANEL_LAYOUT): GraphLayout {
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({
    rankdir: options.direction, nodesep: options.nodeSep, ranksep: options.rankSep,
    marginx: options.margin, marginy: options.margin,
  });
  g.setDefaultEdgeLabel(() => ({}));
  // Insert in id order so the layout does not depend on the order tasks arrive in.
  const tasks = [...plan.tasks].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const ids = new Set(tasks.map((t) => t.id));
  for (const t of tasks) g.setNode(t.id, { width: options.nodeWidth, height: options.nodeHeight });
  const edges: Array<[string, string]> = [];
  for (const t of tasks) {
    for (const d of [...new Set(t.deps)].sort()) {
      if (ids.has(d) && d !== t.id) {
        g.setEdge(d, t.id);
        edges.push([d, t.id]);
      }
    }
  }
  dagre.layout(g);

  const along = (p: Point): number => (options.direction === 'TB' ? p.y : p.x);
  const centres = new Map<string, Point>();
  for (const id of ids) {
    const n = g.node(id) as { x: number; y: number };
    centres.set(id, { x: n.x, y: n.y });
  }
  // Rank = index of the node's distinct coordinate along the layout direction.
  const rows = [...new Set([...centres.values()].map((p) => Math.round(along(p))))].sort((a, b) => a - b);
  const nodes = new Map<string, LayoutNode>();
  for (const [id, c] of centres) {
    nodes.set(id, {
      id,
      x: c.x - options.nodeWidth / 2,
      y: c.y - options.nodeHeight / 2,
      width: options.nodeWidth,
      height: options.nodeHeight,
      rank: rows.indexOf(Math.round(along(c))),
    });
  }
  const layoutEdges = edges.map(([from, to]) => {
    const label = g.edge(from, to) as { points?: Point[] } | undefined;
    return { from, to, points: (label?.points ?? []).map((p) => ({ x: p.x, y: p.y })) };
  });
  const graph = g.graph() as { width?: number; height?: number };
  return { nodes, edges: layoutEdges, width: graph.width ?? 0, height: graph.height ?? 0 };
}
