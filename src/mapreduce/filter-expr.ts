/**
 * `map.filter` expressions, compiled once and evaluated per item. Pure. The grammar and its type rules
 * are the ones `when:` uses (src/workflow/expression.ts), in field mode: names are fields of the item.
 */
import type { JsonValue } from '../session/types.js';
import { compileExpression, ExpressionError } from '../workflow/expression.js';

export { ExpressionError };

/** Compiles a filter; throws ExpressionError (with the column) on bad syntax. */
export function compileFilter(expression: string): (item: JsonValue) => boolean {
  return compileExpression(expression, 'fields');
}
