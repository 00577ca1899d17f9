import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isComplete, readValidationResult, ValidationResultError } from '../../src/workflow/steps/validation-result.js';
import { globRegExp } from '../../src/workflow/steps/outputs.js';
import { renderContent } from '../../src/workflow/steps/write-file.js';

describe('validation results', () => {
  it("reads Prodigy's code shape and its docs shape", () => {
    expect(readValidationResult('{"completion_percentage": 80, "status": "incomplete", "gaps": ["a", {"x": 1}]}', 'r.json')).toEqual({ percentage: 80, saysComplete: false, gaps: ['a', '{"x":1}'], incompleteSpecs: [] });
    expect(readValidationResult('{"complete": true, "score": 100, "gaps": [], "incomplete_specs": ["s1"]}', 'r.json')).toEqual({ percentage: 100, saysComplete: true, gaps: [], incompleteSpecs: ['s1'] });
    expect(readValidationResult('{"complete": false}', 'r.json').percentage).toBe(0);
  });

  it('JSON fitting neither shape, or not JSON, is an error naming the file', () => {
    expect(() => readValidationResult('{"ok": true}', 'out/r.json')).toThrow(new ValidationResultError('out/r.json', 'fits neither {completion_percentage, status, gaps} nor {complete, score, gaps, incomplete_specs}'));
    expect(() => readValidationResult('nope', 'r.json')).toThrow('validation result r.json: is not JSON');
    expect(() => readValidationResult('[1]', 'r.json')).toThrow('is not a JSON object');
  });

  it('complete exactly when the percentage reaches the threshold (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), (p, t) => isComplete({ percentage: p, gaps: [], incompleteSpecs: [] }, t) === p >= t));
  });
});

describe('outputs globs and write_file formats', () => {
  it('matches like a shell glob; a pattern without / matches at any depth', () => {
    expect(['a.md', 'd/b.md', 'c.txt'].filter((p) => globRegExp('*.md').test(p))).toEqual(['a.md', 'd/b.md']);
    expect(['a.md', 'd/b.md', 'd/e/f.md'].filter((p) => globRegExp('d/**/*.md').test(p))).toEqual(['d/b.md', 'd/e/f.md']);
    expect(globRegExp('a?.t(x)t').test('ab.t(x)t')).toBe(true);
  });

  it('json and yaml content must parse; text is verbatim', () => {
    expect(renderContent('{"a":1}', 'json')).toBe('{\n  "a": 1\n}\n');
    expect(renderContent('a: 1', 'yaml')).toBe('a: 1\n');
    expect(() => renderContent('{', 'json')).toThrow();
    fc.assert(fc.property(fc.string(), (s) => renderContent(s, 'text') === s));
  });
});
