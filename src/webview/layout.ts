/**
 * Layered layout of a plan with dagre: nodes top-left positioned, edges as routes of points, and each
 * node's row (rank) for keyboard navigation. Pure: runs in Node for the tests.
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
  /** 0-based layer (row), counted from the top. */
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
  nodeSep: number;
  rankSep: number;
  margin: number;
}

/** The panel's nodes fit a two-line title and the id and role line under it. */
export const PANEL_LAYOUT: LayoutOptions = { nodeWidth: 210, nodeHeight: 66, nodeSep: 26, rankSep: 52, margin: 24 };
export const COMPACT_LAYOUT: LayoutOptions = { nodeWidth: 22, nodeHeight: 22, nodeSep: 10, rankSep: 18, margin: 6 };

/**
 * Lays out the plan's tasks and dependency edges top to bottom (unknown deps are skipped). Edges are routed
 * from a port on the bottom of the task to a port on the top of its dependant (several edges at one task
 * spread over its side, in the order of where they go), and an edge across several layers passes each
 * layer straight down through the gap dagre kept free for it, so no edge runs through a task.
 */
export function layoutPlan(plan: Plan, options: LayoutOptions = PANEL_LAYOUT): GraphLayout {
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({
    rankdir: 'TB', nodesep: options.nodeSep, ranksep: options.rankSep,
    marginx: options.margin, marginy: options.margin,
    // Network simplex packs the layers best; on a large plan the tight-tree ranking takes about half the
    // time for a layout as wide (measured at 100-500 tasks).
    ranker: plan.tasks.length > SYNC_LAYOUT_MAX ? 'tight-tree' : 'network-simplex',
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

  const centres = new Map<string, Point>();
  for (const id of ids) {
    const n = g.node(id) as { x: number; y: number };
    centres.set(id, { x: n.x, y: n.y });
  }
  // Rank = index of the node's row (its centre's y).
  const rows = [...new Set([...centres.values()].map((p) => Math.round(p.y)))].sort((a, b) => a - b);
  const rowIndex = new Map(rows.map((y, i) => [y, i]));
  const nodes = new Map<string, LayoutNode>();
  for (const [id, c] of centres) {
    nodes.set(id, {
      id,
      x: c.x - options.nodeWidth / 2,
      y: c.y - options.nodeHeight / 2,
      width: options.nodeWidth,
      height: options.nodeHeight,
      rank: rowIndex.get(Math.round(c.y)) ?? 0,
    });
  }
  // Where each edge crosses the task rows between its ends: dagre's bend points that lie on a row (the
  // others, between rows, are only its spacing and are dropped), each widened to the row's full height.
  const half = options.nodeHeight / 2;
  const passes = edges.map(([from, to]) => {
    const label = g.edge(from, to) as { points?: Point[] } | undefined;
    const out: Point[] = [];
    for (const p of (label?.points ?? []).slice(1, -1)) {
      if (rowIndex.has(Math.round(p.y))) out.push({ x: p.x, y: p.y - half }, { x: p.x, y: p.y + half });
    }
    return out;
  });
  const outPorts = ports(edges.map(([from], i) => ({ node: from, toward: (passes[i]![0] ?? centres.get(edges[i]![1])!).x, key: i })), nodes);
  const inPorts = ports(edges.map(([, to], i) => ({ node: to, toward: (passes[i]!.at(-1) ?? centres.get(edges[i]![0])!).x, key: i })), nodes);
  const layoutEdges = edges.map(([from, to], i) => {
    const a = nodes.get(from)!;
    const b = nodes.get(to)!;
    return { from, to, points: [{ x: outPorts[i]!, y: a.y + a.height }, ...passes[i]!, { x: inPorts[i]!, y: b.y }] };
  });
  const graph = g.graph() as { width?: number; height?: number };
  return { nodes, edges: layoutEdges, width: graph.width ?? 0, height: graph.height ?? 0 };
}

/**
 * The x of each edge's port on one side of its node: the edges at a node spread over the middle of the
 * side, ordered by where they head, so they leave (or arrive) side by side instead of from one point.
 */
function ports(ends: ReadonlyArray<{ node: string; toward: number; key: number }>, nodes: ReadonlyMap<string, LayoutNode>): number[] {
  const byNode = new Map<string, Array<{ toward: number; key: number }>>();
  for (const e of ends) byNode.set(e.node, [...(byNode.get(e.node) ?? []), e]);
  const xs: number[] = [];
  for (const [id, list] of byNode) {
    const n = nodes.get(id)!;
    list.sort((p, q) => p.toward - q.toward || p.key - q.key);
    const span = Math.min(n.width * 0.6, (list.length - 1) * 14);
    list.forEach((e, i) => {
      xs[e.key] = n.x + n.width / 2 + (list.length > 1 ? -span / 2 + (span * i) / (list.length - 1) : 0);
    });
  }
  return xs;
}

/**
 * Plans up to this many tasks are laid out by dagre before their first paint; a larger plan is first drawn
 * in its layers by {@link quickLayout} (a few milliseconds) and moved to dagre's layout right after, so a
 * 200-task graph appears at once instead of after dagre's few hundred milliseconds.
 */
export const SYNC_LAYOUT_MAX = 60;

/**
 * A first, quick picture of a large plan: each task in the row of its longest chain of dependencies, each
 * row ordered by where its dependencies sit and centred, edges drawn from bottom to top without routing.
 * Shown only until {@link layoutPlan} has run; same node sizes and margins, so the view fits both alike.
 */
export function quickLayout(plan: Plan, options: LayoutOptions = PANEL_LAYOUT): GraphLayout {
  const ids = new Set(plan.tasks.map((t) => t.id));
  const deps = new Map(plan.tasks.map((t) => [t.id, [...new Set(t.deps)].filter((d) => ids.has(d) && d !== t.id)]));
  const dependants = new Map<string, string[]>([...ids].map((id) => [id, []]));
  for (const [id, ds] of deps) for (const d of ds) dependants.get(d)!.push(id);
  // Longest-path layers in topological order (Kahn); anything left by a cycle goes below the rest.
  const rank = new Map<string, number>();
  const waiting = new Map([...deps].map(([id, ds]) => [id, ds.length]));
  const queue = plan.tasks.filter((t) => waiting.get(t.id) === 0).map((t) => t.id);
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    rank.set(id, Math.max(-1, ...deps.get(id)!.map((d) => rank.get(d) ?? -1)) + 1);
    for (const next of dependants.get(id)!) {
      const left = waiting.get(next)! - 1;
      waiting.set(next, left);
      if (left === 0) queue.push(next);
    }
  }
  const deepest = Math.max(-1, ...rank.values());
  for (const t of plan.tasks) if (!rank.has(t.id)) rank.set(t.id, deepest + 1);
  const rows: string[][] = [];
  for (const t of plan.tasks) (rows[rank.get(t.id)!] ??= []).push(t.id);
  // Each row ordered by the mean place of its tasks' dependencies in the rows above.
  const place = new Map<string, number>();
  for (const row of rows) {
    if (!row) continue;
    const key = new Map(row.map((id, i) => {
      const ds = deps.get(id)!;
      return [id, ds.length ? ds.reduce((sum, d) => sum + (place.get(d) ?? 0), 0) / ds.length : i];
    }));
    row.sort((a, b) => key.get(a)! - key.get(b)!);
    row.forEach((id, i) => place.set(id, i - (row.length - 1) / 2));
  }
  const widest = Math.max(1, ...rows.map((r) => r?.length ?? 0));
  const stepX = options.nodeWidth + options.nodeSep;
  const stepY = options.nodeHeight + options.rankSep;
  const width = widest * stepX - options.nodeSep + 2 * options.margin;
  const nodes = new Map<string, LayoutNode>();
  rows.forEach((row, r) => row?.forEach((id) => {
    nodes.set(id, {
      id, rank: r, width: options.nodeWidth, height: options.nodeHeight,
      x: width / 2 + place.get(id)! * stepX - options.nodeWidth / 2,
      y: options.margin + r * stepY,
    });
  }));
  const edges: LayoutEdge[] = [];
  for (const t of plan.tasks) {
    for (const d of deps.get(t.id)!) {
      const a = nodes.get(d)!;
      const b = nodes.get(t.id)!;
      edges.push({ from: d, to: t.id, points: [{ x: a.x + a.width / 2, y: a.y + a.height }, { x: b.x + b.width / 2, y: b.y }] });
    }
  }
  const height = rows.length * stepY - options.rankSep + 2 * options.margin;
  return { nodes, edges, width, height };
}
