import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpolate } from '../../src/workflow/interpolate.js';
import { shellQuote } from '../../src/workflow/shell-quote.js';
import { unquotedUntrusted, untrustedWarning } from '../../src/workflow/untrusted-shell.js';
import { tempDir } from '../helpers/home.js';

/** Every character a shell gives a meaning to, and a few that would break a naive quoting. */
const METACHARACTERS = ['$(touch pwned)', '`touch pwned`', ';', '|', '&', '&&', '>', '<', "'", '"', '\\', '\n', '\r', '\t', '*', '?', '[', ']', '{', '}', '(', ')', '!', '#', '~', '=', '%', ' ', '$HOME', '${x}', "'\\''", '-n', '-e'];
const nasty = fc.array(fc.oneof(fc.constantFrom(...METACHARACTERS), fc.string({ unit: 'grapheme' })), { maxLength: 12 }).map((p) => p.join('').replace(/\0/g, ''));

/** What sh -c prints, run in an empty folder (so a glob would expand to nothing and a touch would show). */
function throughSh(command: string, cwd: string): string {
  const r = spawnSync('sh', ['-c', command], { cwd, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('${name:sh}: shell-quoted interpolation', () => {
  it('reaches sh -c as exactly one word holding the value, with every metacharacter (real sh)', () => {
    const cwd = tempDir('sh-quote-');
    fc.assert(
      fc.property(nasty, (value) => {
        const lookup = (n: string) => (n === 'name' ? value : undefined);
        expect(throughSh(interpolate('printf %s ${name:sh}', lookup), cwd)).toBe(value);
        expect(throughSh(interpolate('set -- ${name:sh} ${name:sh}; echo $#', lookup), cwd)).toBe('2\n');
      }),
      { numRuns: 60 },
    );
    for (const m of METACHARACTERS) expect(throughSh(`printf %s ${shellQuote(m)}`, cwd)).toBe(m);
    expect(throughSh(`set -- ${shellQuote('')}; echo $#`, cwd)).toBe('1\n');
    expect(fs.readdirSync(cwd)).toEqual([]);
  });
});

describe('the warning for unquoted untrusted data', () => {
  it('names item data and captured output interpolated without :sh, once each', () => {
    const captured = new Set(['title', 'svc']);
    expect(unquotedUntrusted('echo ${item.name} "${item.name}" $item ${item_json} ${title} ${svc.port} ${shell.output} $last ${step_0_output} ${map.results}', captured)).toEqual([
      'item.name',
      'item',
      'item_json',
      'title',
      'svc.port',
      'shell.output',
      'last',
      'step_0_output',
      'map.results',
    ]);
    expect(unquotedUntrusted('echo ${item.name:sh} "$PRODIGY_ITEM_NAME" ${item_index} ${workflow.name} $HOME ${HOME} ${#a[@]} $title_x ${other}', captured)).toEqual([]);
    expect(untrustedWarning(['item.name', 'title'])).toMatch(/^untrusted data reaches sh -c unquoted: \$\{item\.name\}, \$\{title\} .*\$\{item\.name:sh\}/);
  });
});
