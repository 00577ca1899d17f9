import { afterEach } from 'vitest';
import { cleanup } from 'ink-testing-library';

// Colour must not depend on the developer's shell; NO_COLOR tests set it explicitly.
delete process.env.NO_COLOR;

afterEach(() => {
  cleanup();
});
