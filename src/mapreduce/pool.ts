/**
 * The agent pool: runs items through `run` with at most `maxParallel` at once, each item up to
 * `maxAttempts` times. Generic over the item and the work, so the same pool serves the job runner, the
 * DLQ retry, the benchmark and the tests; it never touches disk or processes itself.
 *
 * Ordering guarantees the runner builds on:
 * - `onCompleted` / `onDead` are awaited before the agent slot takes another item, so whatever they
 *   persist is on disk before the slot is reused;
 * - after `signal` aborts, no item starts; items whose attempt ends after the abort go to `onAbandoned`
 *   (back to pending), never to a retry or the DLQ;
 * - once `shouldStop()` is true (error policy), no new item starts; items in flight finish normally.
 */
export type AttemptOutcome<R> = { ok: true; result: R } | { ok: false; error: string };

export interface AgentContext {
  agentId: string;
  /** 1-based attempt number within this pool run. */
  attempt: number;
  signal: AbortSignal;
}

export interface PoolOptions<I, R> {
  maxParallel: number;
  maxAttempts: number;
  signal?: AbortSignal;
  run(item: I, ctx: AgentContext): Promise<AttemptOutcome<R>>;
  onStart?(item: I, ctx: AgentContext): void;
  onRetry?(item: I, ctx: AgentContext, error: string): void | Promise<void>;
  onCompleted(item: I, ctx: AgentContext, result: R): void | Promise<void>;
  onDead(item: I, ctx: AgentContext, error: string): void | Promise<void>;
  onAbandoned?(item: I, ctx: AgentContext): void | Promise<void>;
  shouldStop?(): boolean;
}

export interface PoolResult<I> {
  interrupted: boolean;
  stopped: boolean;
  /** Items never started (interrupt or stop). */
  notStarted: I[];
}

export async function runPool<I, R>(items: readonly I[], o: PoolOptions<I, R>): Promise<PoolResult<I>> {
  const signal = o.signal ?? new AbortController().signal;
  const width = Math.max(1, Math.floor(o.maxParallel));
  let next = 0;
  let stopped = false;
  const take = (): I | undefined => {
    if (signal.aborted) return undefined;
    if (o.shouldStop?.()) {
      stopped = true;
      return undefined;
    }
    return next < items.length ? items[next++] : undefined;
  };

  const agent = async (slot: number): Promise<void> => {
    const agentId = `agent-${slot + 1}`;
    for (let item = take(); item !== undefined; item = take()) {
      for (let attempt = 1; ; attempt++) {
        const ctx: AgentContext = { agentId, attempt, signal };
        o.onStart?.(item, ctx);
        let outcome: AttemptOutcome<R>;
        try {
          outcome = await o.run(item, ctx);
        } catch (err) {
          outcome = { ok: false, error: (err as Error).message ?? String(err) };
        }
        if (outcome.ok) {
          await o.onCompleted(item, ctx, outcome.result);
          break;
        }
        if (signal.aborted) {
          await o.onAbandoned?.(item, ctx);
          break;
        }
        if (attempt < o.maxAttempts) {
          await o.onRetry?.(item, ctx, outcome.error);
          continue;
        }
        await o.onDead(item, ctx, outcome.error);
        break;
      }
    }
  };

  await Promise.all(Array.from({ length: Math.min(width, Math.max(1, items.length)) }, (_, i) => agent(i)));
  return { interrupted: signal.aborted, stopped, notStarted: items.slice(next) };
}
