import { describe, expect, it } from 'vitest';
import { prodigy } from '../helpers/cli.js';
import { seedProdigyFixtures, tempHome } from '../helpers/home.js';

describe('prodigy tui when not on a terminal', () => {
  it('prints the plain sessions table and exits 0', () => {
    const home = tempHome();
    seedProdigyFixtures(home);
    const r = prodigy(['tui'], { home });
    expect(r.code).toBe(0);
    const out = r.stdout.split('\n');
    expect(out[0]).toMatch(/^ID +TYPE +STATUS +NAME/);
    expect(r.stdout).toContain('workflow-1732450000000');
    expect(r.stdout).not.toMatch(/\u001B\[/); // no escape codes, no alternate screen
  });

  it('says so when the store is empty, and has --help', () => {
    expect(prodigy(['tui'], { home: tempHome() }).stdout).toBe('No sessions.\n');
    const help = prodigy(['tui', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--all');
  });
});
