/**
 * Reading a validation result, pure. Prodigy users meet two shapes: its code reads
 * `{completion_percentage, status, gaps}`, its docs write `{complete, score, gaps, incomplete_specs}`.
 * JSON that fits neither is an error naming the file, never "complete".
 */
export interface ValidationResult {
  /** 0..100 */
  percentage: number;
  /** Explicit `complete` / `status: "complete"` when the result says so. */
  saysComplete?: boolean;
  gaps: string[];
  incompleteSpecs: string[];
}

export class ValidationResultError extends Error {
  constructor(source: string, why: string) {
    super(`validation result ${source}: ${why}`);
    this.name = 'ValidationResultError';
  }
}

const texts = (v: unknown): string[] => (Array.isArray(v) ? v.map((g) => (typeof g === 'string' ? g : JSON.stringify(g))) : []);

export function readValidationResult(text: string, source: string): ValidationResult {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new ValidationResultError(source, 'is not JSON');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ValidationResultError(source, 'is not a JSON object');
  const o = v as Record<string, unknown>;
  const gaps = texts(o.gaps);
  const incompleteSpecs = texts(o.incomplete_specs);
  if (typeof o.completion_percentage === 'number') {
    const status = typeof o.status === 'string' ? o.status.toLowerCase() : undefined;
    return { percentage: o.completion_percentage, saysComplete: status === undefined ? undefined : status === 'complete', gaps, incompleteSpecs };
  }
  if (typeof o.score === 'number' || typeof o.complete === 'boolean') {
    const complete = typeof o.complete === 'boolean' ? o.complete : undefined;
    const score = typeof o.score === 'number' ? o.score : complete ? 100 : 0;
    return { percentage: score, saysComplete: complete, gaps, incompleteSpecs };
  }
  throw new ValidationResultError(source, 'fits neither {completion_percentage, status, gaps} nor {complete, score, gaps, incomplete_specs}');
}

/** Complete when the percentage reaches the threshold, unless the result itself says it is not. */
export function isComplete(r: ValidationResult, threshold: number): boolean {
  if (r.saysComplete === false && r.percentage < 100) return false;
  return r.percentage >= threshold;
}
