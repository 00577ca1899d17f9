import { describe, expect, it } from 'vitest';
import { lineBatch } from '../../src/exec/line-batch.js';

describe('lineBatch', () => {
  it('writes the first line at once, later ones together, and everything on flush', async () => {
    const writes: string[] = [];
    const b = lineBatch((t) => writes.push(t), 10_000);
    b.line('Worker ready');
    expect(writes).toEqual(['Worker ready\n']);
    b.line('a');
    b.line('b');
    expect(writes).toHaveLength(1);
    b.flush();
    expect(writes).toEqual(['Worker ready\n', 'a\nb\n']);
    b.flush();
    expect(writes).toHaveLength(2);
  });

  it('writes pending lines when the interval is over, without a flush', async () => {
    const writes: string[] = [];
    const b = lineBatch((t) => writes.push(t), 20);
    b.line('1');
    b.line('2');
    b.line('3');
    await new Promise<void>((resolve) => {
      const poll = () => (writes.length === 2 ? resolve() : setTimeout(poll, 5));
      poll();
    });
    expect(writes).toEqual(['1\n', '2\n3\n']);
  });
});
