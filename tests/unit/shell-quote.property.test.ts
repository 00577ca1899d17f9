import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpolate } from '../../src/workflow/interpolate.js';
import { shellQuote } from '../../src/workflow/shell-quote.js';
import { safeVariable, unquotedUntrusted, untrustedWarning } from '../../src/workflow/untrusted-shell.js';
import { exportedEnv } from '../../src/workflow/env-export.js';
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

describe('the variables that replace unquoted data', () => {
  it('every item field is PRODIGY_FIELD_<NAME>; PRODIGY_ITEM_ID/JSON/INDEX stay the work item\'s own', () => {
    const item = { id: 'own-id', json: 'own-json', index: 9, name: 'n', 'file-name': { a: 1 } };
    const env = exportedEnv({ variables: { said: 'hi' }, outputs: { last: 'out' }, env: {}, processEnv: {}, workflowName: 'w', extra: { item: JSON.stringify(item), item_json: JSON.stringify(item), item_id: 'item-3', item_index: '3' } });
    expect(env).toMatchObject({
      PRODIGY_ITEM_ID: 'item-3',
      PRODIGY_ITEM_JSON: JSON.stringify(item),
      PRODIGY_ITEM_INDEX: '3',
      PRODIGY_FIELD_ID: 'own-id',
      PRODIGY_FIELD_JSON: 'own-json',
      PRODIGY_FIELD_INDEX: '9',
      PRODIGY_FIELD_NAME: 'n',
      PRODIGY_ITEM_NAME: 'n',
      PRODIGY_FIELD_FILE_NAME: '{"a":1}',
      PRODIGY_ITEM_FILE_NAME: '{"a":1}',
      PRODIGY_VAR_SAID: 'hi',
      PRODIGY_OUTPUT_LAST: 'out',
    });
    const reduce = exportedEnv({ variables: {}, outputs: {}, env: {}, processEnv: {}, workflowName: 'w', extra: { 'map.results': '[1]' } });
    expect(reduce).toEqual({ PRODIGY_MAP_RESULTS: '[1]' });
  });

  it('names the exact variable for each unquoted name, and only :sh where no variable holds the value', () => {
    const captured = new Set(['title', 'svc', 'build']);
    const outputIds = new Set(['build']);
    const cases: [string, string | null][] = [
      ['item', 'PRODIGY_ITEM'],
      ['item_json', 'PRODIGY_ITEM_JSON'],
      ['item_id', 'PRODIGY_ITEM_ID'],
      ['item.id', 'PRODIGY_FIELD_ID'],
      ['item.file-name', 'PRODIGY_FIELD_FILE_NAME'],
      ['item.a.b', null],
      ['item.list[0]', null],
      ['title', 'PRODIGY_VAR_TITLE'],
      ['svc.port', null],
      ['build', 'PRODIGY_OUTPUT_BUILD'],
      ['build.files', 'PRODIGY_OUTPUT_BUILD_FILES'],
      ['shell.output', 'PRODIGY_OUTPUT_SHELL'],
      ['last', 'PRODIGY_OUTPUT_LAST'],
      ['step_2_output', 'PRODIGY_OUTPUT_STEP_2_OUTPUT'],
      ['map.results', 'PRODIGY_MAP_RESULTS'],
    ];
    for (const [name, want] of cases) expect(safeVariable(name, captured, outputIds), name).toBe(want);
    expect(untrustedWarning(['item.id', 'svc.port'], captured, outputIds)).toBe(
      'untrusted data reaches sh -c unquoted: ${item.id}, ${svc.port} (a quote, $(...) or ; in the value runs as shell code); write ${item.id:sh} or "$PRODIGY_FIELD_ID", ${svc.port:sh} (README "Running untrusted data")',
    );
  });
});
