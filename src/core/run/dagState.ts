/**
 * The scheduling state of a DAG of tasks, free of time and I/O so the live scheduler and the simulated
 * ones of bench/ share it. A task is ready the moment its last dependency is done (no waves); among ready
 * tasks the one with the longest remaining critical path comes first, ties by id. The graph itself (dependants,
 * priorities) comes from core/plan/adjacency.
 */
import { adjacencyOfNodes, dependantIds, valuesById, type Adjacency, type DagNode } from '../plan/adjacency';

export type NodeState = 'pending' | 'ready' | 'running' | 'done' | 'failed' | 'blocked' | 'cancelled';

export class DagState {
  private prio: ReadonlyMap<string, number>;
  private current: readonly DagNode[];
  private readonly state = new Map<string, NodeState>();
  private readonly waiting = new Map<string, number>();
  private adj: Adjacency;
  private readonly readySet = new Set<string>();
  /** For a blocked (or cancelled) task: the failed (or cancelled) task at the root of its block. */
  private readonly cause = new Map<string, string>();

  /** `done` lists tasks finished earlier (a resumed run); their dependents start out ready. */
  constructor(
    nodes: readonly DagNode[],
    done: Iterable<string> = [],
    priority?: ReadonlyMap<string, number>,
  ) {
    this.current = nodes;
    this.adj = adjacencyOfNodes(nodes);
    this.prio = priority ?? valuesById(this.adj, this.adj.remaining);
    const doneSet = new Set(done);
    for (const n of nodes) {
      this.state.set(n.id, doneSet.has(n.id) ? 'done' : 'pending');
      this.waiting.set(n.id, n.deps.filter((d) => !doneSet.has(d)).length);
    }
    for (const n of nodes) if (this.state.get(n.id) === 'pending' && this.waiting.get(n.id) === 0) this.makeReady(n.id);
  }

  /** The nodes as they stand (after any {@link reshape}). */
  get nodes(): readonly DagNode[] {
    return this.current;
  }

  get priority(): ReadonlyMap<string, number> {
    return this.prio;
  }

  /**
   * Replaces the graph after a local plan update: nodes not in `nodes` are dropped, new nodes and those in
   * `reset` start over as pending, every other node keeps its state. `hold` (the task whose update this is,
   * still in flight) stays running until {@link requeue}. Returns the nodes that became ready and those now
   * blocked by a failed or blocked dependency.
   */
  reshape(nodes: readonly DagNode[], reset: Iterable<string>, hold?: string): { ready: string[]; blocked: string[] } {
    const resetSet = new Set(reset);
    const old = new Map(this.state);
    this.current = nodes;
    this.adj = adjacencyOfNodes(nodes);
    this.prio = valuesById(this.adj, this.adj.remaining);
    this.state.clear();
    this.waiting.clear();
    const wasReady = new Set(this.readySet);
    this.readySet.clear();
    for (const n of nodes) {
      const before = old.get(n.id);
      const s: NodeState = n.id === hold ? 'running' : before === undefined || resetSet.has(n.id) ? 'pending' : before;
      this.state.set(n.id, s);
      this.waiting.set(n.id, n.deps.filter((d) => old.get(d) !== 'done' || resetSet.has(d)).length);
    }
    for (const id of [...this.cause.keys()]) if (!['blocked', 'cancelled'].includes(this.state.get(id) ?? '')) this.cause.delete(id);
    for (const n of nodes) {
      const s = this.state.get(n.id);
      if (s === 'ready' && wasReady.has(n.id) && !resetSet.has(n.id)) this.readySet.add(n.id);
      else if (s === 'ready') this.state.set(n.id, 'pending');
    }
    // Blocks first, transitively and whatever the order of the node list (an update appends its new tasks).
    const blocked = this.propagateBlocks();
    const ready: string[] = [];
    for (const n of nodes) {
      if (this.state.get(n.id) === 'pending' && this.waiting.get(n.id) === 0) {
        this.makeReady(n.id);
        ready.push(n.id);
      }
    }
    return { ready, blocked };
  }

  /**
   * Puts a held task back after {@link reshape}: ready when its dependencies are done, blocked when one of
   * them failed, else pending. `gone` when the update removed it.
   */
  requeue(id: string): 'ready' | 'pending' | 'blocked' | 'gone' {
    return this.requeueBlocking(id).state;
  }

  /**
   * {@link requeue}, also returning the descendants a blocked task now blocks in turn (they would otherwise
   * wait for it forever).
   */
  requeueBlocking(id: string): { state: 'ready' | 'pending' | 'blocked' | 'gone'; blocked: string[] } {
    if (!this.state.has(id)) return { state: 'gone', blocked: [] };
    const node = this.current.find((n) => n.id === id);
    const root = node && this.stuckOn(node);
    if (root !== undefined) {
      this.readySet.delete(id);
      this.state.set(id, 'blocked');
      this.cause.set(id, root);
      return { state: 'blocked', blocked: this.propagateBlocks() };
    }
    if (this.waiting.get(id) === 0) {
      this.makeReady(id);
      return { state: 'ready', blocked: [] };
    }
    this.state.set(id, 'pending');
    return { state: 'pending', blocked: [] };
  }

  /** The failed (or cancelled) task behind a blocked (or cancelled) one, if known. */
  blockedBy(id: string): string | undefined {
    return this.cause.get(id);
  }

  /** The root failed/cancelled task behind a failed, blocked or cancelled dependency of `node`, if any. */
  private stuckOn(node: DagNode): string | undefined {
    for (const d of node.deps) {
      const s = this.state.get(d);
      if (s === 'failed' || s === 'blocked' || s === 'cancelled') return this.cause.get(d) ?? d;
    }
    return undefined;
  }

  /** Blocks every pending or ready task below a failed, blocked or cancelled one, transitively; returns them. */
  private propagateBlocks(): string[] {
    const blocked: string[] = [];
    const stack = this.current.filter((n) => ['failed', 'blocked', 'cancelled'].includes(this.state.get(n.id) ?? '')).map((n) => n.id);
    while (stack.length) {
      const x = stack.pop() as string;
      const root = this.cause.get(x) ?? x;
      for (const c of dependantIds(this.adj, x)) {
        const s = this.state.get(c);
        if (s !== 'pending' && s !== 'ready') continue;
        this.readySet.delete(c);
        this.state.set(c, 'blocked');
        this.cause.set(c, root);
        blocked.push(c);
        stack.push(c);
      }
    }
    return blocked;
  }

  private makeReady(id: string): void {
    this.state.set(id, 'ready');
    this.readySet.add(id);
  }

  stateOf(id: string): NodeState {
    return this.state.get(id) ?? 'pending';
  }

  /** Ready tasks, best first. */
  ready(): string[] {
    return [...this.readySet].sort((a, b) => this.compare(a, b));
  }

  /** Orders by remaining critical path (longest first), then id. */
  compare(a: string, b: string): number {
    return (this.prio.get(b) ?? 0) - (this.prio.get(a) ?? 0) || (a < b ? -1 : a > b ? 1 : 0);
  }

  /** The best ready task, or `undefined`. */
  next(): string | undefined {
    let best: string | undefined;
    for (const id of this.readySet) if (best === undefined || this.compare(id, best) < 0) best = id;
    return best;
  }

  start(id: string): void {
    if (!this.readySet.delete(id)) throw new Error(`task ${id} is not ready`);
    this.state.set(id, 'running');
  }

  /** Marks `id` done; returns the tasks that became ready. */
  complete(id: string): string[] {
    this.readySet.delete(id);
    this.state.set(id, 'done');
    const now: string[] = [];
    for (const c of dependantIds(this.adj, id)) {
      const left = (this.waiting.get(c) ?? 0) - 1;
      this.waiting.set(c, left);
      if (left === 0 && this.state.get(c) === 'pending') {
        this.makeReady(c);
        now.push(c);
      }
    }
    return now;
  }

  /** Marks `id` failed (or cancelled); returns every descendant that is now blocked (or cancelled). */
  fail(id: string, as: 'failed' | 'cancelled' = 'failed'): string[] {
    this.readySet.delete(id);
    this.state.set(id, as);
    const blocked: string[] = [];
    const stack = dependantIds(this.adj, id);
    while (stack.length) {
      const c = stack.pop() as string;
      const s = this.state.get(c);
      if (s !== 'pending' && s !== 'ready') continue;
      this.readySet.delete(c);
      this.state.set(c, as === 'cancelled' ? 'cancelled' : 'blocked');
      this.cause.set(c, id);
      blocked.push(c);
      stack.push(...dependantIds(this.adj, c));
    }
    return blocked;
  }

  /** True when no task is ready or running (everything left is done, failed, blocked or unreachable). */
  settled(): boolean {
    for (const s of this.state.values()) if (s === 'ready' || s === 'running') return false;
    return true;
  }

  /** Tasks still pending or ready (e.g. to mark cancelled). */
  unfinished(): string[] {
    return this.nodes.map((n) => n.id).filter((id) => ['pending', 'ready', 'running'].includes(this.stateOf(id)));
  }
}
