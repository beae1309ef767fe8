import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // DOM tests opt in per file with `// @vitest-environment jsdom`; rule tests stay fast in node.
    environment: 'node'
  }
});
