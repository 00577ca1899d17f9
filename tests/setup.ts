import { afterAll, afterEach } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { stopTrackedChildren } from './helpers/children.js';
import { removeTempDirs } from './helpers/home.js';

// Colour must not depend on the developer's shell; NO_COLOR tests set it explicitly.
delete process.env.NO_COLOR;

afterEach(async () => {
  cleanup();
  await stopTrackedChildren();
});

// Every temp folder a test made goes with its file: processes the tests started are gone by then.
afterAll(() => {
  removeTempDirs();
});
