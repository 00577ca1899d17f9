import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SessionFileSchema } from '../../src/storage/schemas.js';
import { acceptSessionQuickly } from '../../src/storage/session-shape.js';

/** Values that sit on the schema's edges: wrong types, negative, fractional, unsafe, unsafe ids, a `__proto__` key. */
const odd = fc.constantFrom<unknown>(
  undefined, null, -1, 0, 1.5, 2 ** 60, -0, '', 'x', 'bad/id', '..', 'a..b', 'ok-id', 'Running', 'Map', true, [], [1], {},
  JSON.parse('{"__proto__":{"secs":1,"nanos":1}}'), { secs: 1, nanos: 2 }, { secs: -1, nanos: 0 }, ['a'], { a: 'b' }, { a: 1 },
);

const duration = fc.record({ secs: fc.nat(), nanos: fc.nat() });
const session = fc.record(
  {
    id: fc.constantFrom('session-a', 'session-b.1', 'x_y'),
    session_type: fc.constantFrom('Workflow', 'MapReduce'),
    status: fc.constantFrom('Initializing', 'Running', 'Paused', 'Completed', 'Failed', 'Cancelled'),
    started_at: fc.constant('2026-01-01T00:00:00Z'),
    updated_at: fc.constant('2026-01-01T00:01:00Z'),
    completed_at: fc.constantFrom(null, '2026-01-01T00:02:00Z'),
    metadata: fc.record(
      { owner_pid: fc.nat(), owner_host: fc.string(), owner_start_ticks: fc.option(fc.nat()), workflow_path: fc.string(), repo_name: fc.constantFrom('repo', 'a b'), job_id: fc.constantFrom('job-1'), extra: fc.jsonValue() },
      { requiredKeys: [] },
    ),
    checkpoints: fc.array(fc.record({ id: fc.string(), created_at: fc.string(), state: fc.jsonValue(), metadata: fc.dictionary(fc.string(), fc.jsonValue()) }, { requiredKeys: ['id', 'created_at'] }), { maxLength: 3 }),
    timings: fc.dictionary(fc.string(), duration, { maxKeys: 3 }),
    error: fc.option(fc.string()),
    workflow_data: fc.option(
      fc.record(
        { workflow_id: fc.string(), current_step: fc.nat(), total_steps: fc.nat(), completed_steps: fc.array(fc.nat()), variables: fc.dictionary(fc.string(), fc.string()) },
        { requiredKeys: [] },
      ),
    ),
    mapreduce_data: fc.option(
      fc.record({ job_id: fc.constantFrom('job-1', 'job.2'), total_items: fc.nat(), processed_items: fc.nat(), phase: fc.constantFrom('Setup', 'Map', 'Reduce', 'Complete') }, { requiredKeys: ['job_id'] }),
    ),
    unknown_field: fc.jsonValue(),
  },
  { requiredKeys: ['id', 'session_type', 'status', 'started_at'] },
);

/** A path into the session where an odd value is put (or a field removed). */
const where = fc.constantFrom(
  [], ['id'], ['session_type'], ['status'], ['started_at'], ['updated_at'], ['completed_at'], ['error'], ['metadata'], ['metadata', 'owner_pid'],
  ['metadata', 'owner_start_ticks'], ['metadata', 'owner_boot_id'], ['metadata', 'repo_name'], ['metadata', 'job_id'], ['checkpoints'],
  ['checkpoints', 0], ['checkpoints', 0, 'id'], ['checkpoints', 0, 'metadata'], ['timings'], ['timings', 'step_0'], ['timings', 'step_0', 'secs'],
  ['workflow_data'], ['workflow_data', 'current_step'], ['workflow_data', 'completed_steps'], ['workflow_data', 'completed_steps', 0],
  ['workflow_data', 'variables'], ['workflow_data', 'variables', 'A'], ['mapreduce_data'], ['mapreduce_data', 'job_id'], ['mapreduce_data', 'phase'],
  ['mapreduce_data', 'agent_count'],
);

function put(root: unknown, at: readonly (string | number)[], value: unknown): unknown {
  if (at.length === 0) return value;
  if (typeof root !== 'object' || root === null) return root;
  const [k, ...rest] = at;
  const o = root as Record<string | number, unknown>;
  if (rest.length === 0 && value === undefined) delete o[k!];
  else o[k!] = put(o[k!] ?? (typeof rest[0] === 'number' ? [] : {}), rest, value);
  return root;
}

describe('the quick session check', () => {
  it('accepts only what zod accepts, and then gives what zod gives', () => {
    let quick = 0;
    let runs = 0;
    fc.assert(
      fc.property(session, fc.array(fc.tuple(where, odd), { maxLength: 3 }), (s, changes) => {
        let v: unknown = JSON.parse(JSON.stringify(s));
        for (const [at, value] of changes) v = put(v, at, value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
        v = JSON.parse(JSON.stringify(v) ?? 'null'); // what a file can hold
        const z = SessionFileSchema.safeParse(structuredClone(v));
        runs++;
        if (acceptSessionQuickly(v)) {
          quick++;
          expect(z.success).toBe(true);
          expect(v).toEqual(z.data);
        }
      }),
      { numRuns: 3000 },
    );
    // Not vacuous: a good share of the (partly broken) files took the quick path.
    expect(quick / runs).toBeGreaterThan(0.1);
  });

  it('says yes at once to the files this project writes', () => {
    fc.assert(
      fc.property(session, (s) => {
        const v = JSON.parse(JSON.stringify(s));
        if (JSON.stringify(s).includes('"__proto__"')) return; // left to zod on purpose
        expect(acceptSessionQuickly(v)).toBe(SessionFileSchema.safeParse(JSON.parse(JSON.stringify(s))).success);
      }),
      { numRuns: 500 },
    );
  });
});
