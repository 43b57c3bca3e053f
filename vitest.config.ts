import { defineConfig } from 'vitest/config';

/**
 * Three kinds of tests, one command (`npm test`):
 * - unit: pure `model/` code and golden files, no services;
 * - kube: `kube/` and the simulator (each file starts its own simulator), plus real kubectl;
 * - integration: real Temporal dev server started once by the global setup, the simulator, workers
 *   in-process, replay of committed histories, and the CLI end to end; also the Temporal UI test
 *   (test/ui), which starts a dev server of its own with the UI and drives Debian's Chromium.
 */
export default defineConfig({
  test: {
    reporters: process.env.CI ? ['verbose'] : ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'kube',
          include: ['test/kube/**/*.test.ts'],
          sequence: { groupOrder: 1 },
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 2 },
          include: [
            'test/integration/**/*.test.ts',
            'test/replay/**/*.test.ts',
            'test/e2e/**/*.test.ts',
            'test/ui/**/*.test.ts',
          ],
          globalSetup: ['test/harness/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 600_000,
          // Each file runs its own worker; two at a time keep a 2-core machine responsive.
          maxWorkers: 2,
        },
      },
    ],
  },
});
