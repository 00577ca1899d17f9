import { describe, expect, it } from 'vitest';
import { commandWordOf } from '../../src/cli/command-word.js';

const argv = (...words: string[]) => ['node', 'prodigy', ...words];

describe('commandWordOf', () => {
  it('is the first word that is not an option', () => {
    expect(commandWordOf(argv('tui'))).toBe('tui');
    expect(commandWordOf(argv('sessions', 'list', '--json'))).toBe('sessions');
    expect(commandWordOf(argv('--home=/x', 'run', 'wf.yml'))).toBe('run');
  });
  it("skips --home's value", () => {
    expect(commandWordOf(argv('--home', 'run', 'sessions'))).toBe('sessions');
  });
  it('is undefined with no command (help, version)', () => {
    expect(commandWordOf(argv())).toBeUndefined();
    expect(commandWordOf(argv('--help'))).toBeUndefined();
    expect(commandWordOf(argv('-V'))).toBeUndefined();
  });
});
