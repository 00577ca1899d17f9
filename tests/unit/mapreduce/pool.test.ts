import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AgentContext, runPool } from '../../../src/mapreduce/pool.js';

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('agent pool', () => {
  it('never runs more than maxParallel at once; every item ends completed or dead exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(3), { maxLength: 30 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 3 }),
        async (failuresBeforeSuccess, maxParallel, maxAttempts) => {
          const items = failuresBeforeSuccess.map((f, i) => ({ i, f }));
          let running = 0;
          let peak = 0;
          const tries = new Map<number, number>();
          const completed: number[] = [];
          const dead: number[] = [];
          await runPool(items, {
            maxParallel,
            maxAttempts,
            async run(item) {
              running++;
              peak = Math.max(peak, running);
              await tick();
              running--;
              const n = (tries.get(item.i) ?? 0) + 1;
              tries.set(item.i, n);
              return n > item.f ? { ok: true, result: item.i } : { ok: false, error: `fail ${n}` };
            },
            onCompleted: (item, _ctx, r) => {
              expect(r).toBe(item.i);
              completed.push(item.i);
            },
            onDead: (item) => {
              dead.push(item.i);
            },
          });
          expect(peak).toBeLessThanOrEqual(maxParallel);
          expect([...completed, ...dead].sort((a, b) => a - b)).toEqual(items.map((x) => x.i));
          for (const x of items) {
            const ok = x.f < maxAttempts;
            expect(completed.includes(x.i)).toBe(ok);
            expect(tries.get(x.i)).toBe(ok ? x.f + 1 : maxAttempts);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('waits for onCompleted before the slot takes its next item', async () => {
    const order: string[] = [];
    await runPool([1, 2, 3], {
      maxParallel: 1,
      maxAttempts: 1,
      async run(i) {
        order.push(`run ${i}`);
        return { ok: true, result: i };
      },
      async onCompleted(i) {
        await tick();
        await tick();
        order.push(`saved ${i}`);
      },
      onDead: () => {},
    });
    expect(order).toEqual(['run 1', 'saved 1', 'run 2', 'saved 2', 'run 3', 'saved 3']);
  });

  it('on abort: in-flight items are abandoned (no retry, no DLQ), the rest never start', async () => {
    const ac = new AbortController();
    const started: number[] = [];
    const abandoned: number[] = [];
    const dead: number[] = [];
    const items = Array.from({ length: 10 }, (_, i) => i);
    const res = await runPool<number, number>(items, {
      maxParallel: 3,
      maxAttempts: 5,
      signal: ac.signal,
      run(i, ctx: AgentContext) {
        started.push(i);
        if (started.length === 5) ac.abort();
        return new Promise((resolve) => {
          if (ctx.signal.aborted) resolve({ ok: false, error: 'killed' });
          else ctx.signal.addEventListener('abort', () => resolve({ ok: false, error: 'killed' }), { once: true });
          if (i < 2) setImmediate(() => resolve({ ok: true, result: i }));
        });
      },
      onCompleted: () => {},
      onDead: (i) => {
        dead.push(i);
      },
      onAbandoned: (i) => {
        abandoned.push(i);
      },
    });
    expect(res.interrupted).toBe(true);
    expect(dead).toEqual([]);
    expect(abandoned.sort()).toEqual([2, 3, 4]);
    expect(res.notStarted).toEqual([5, 6, 7, 8, 9]);
  });

  it('stops taking items once the error policy says stop, letting in-flight ones finish', async () => {
    let failures = 0;
    const ran: number[] = [];
    const res = await runPool(Array.from({ length: 20 }, (_, i) => i), {
      maxParallel: 2,
      maxAttempts: 1,
      async run(i) {
        ran.push(i);
        await tick();
        return { ok: false, error: 'no' };
      },
      onCompleted: () => {},
      onDead: () => {
        failures++;
      },
      shouldStop: () => failures >= 3,
    });
    expect(res.stopped).toBe(true);
    expect(ran.length).toBeLessThanOrEqual(4);
    expect(failures).toBe(ran.length);
    expect(res.notStarted.length).toBe(20 - ran.length);
  });
});
