import { defineConfig } from 'vitest/config';

/**
 * Two kinds of tests, one command (`npm test`):
 * - unit: pure `model/` code and golden files, no services;
 * - integration: everything that crosses a real component. The global setup starts one real
 *   Temporal dev server and a pool of real Kubernetes cluster sets (kube-apiserver,
 *   controller-manager, scheduler, etcd and kwok nodes; see test/harness/cluster-pool.ts) once per
 *   run; each test file leases a cluster set, reaches it through fault-injecting proxies, and runs
 *   its own worker. Covers `kube/` against a real apiserver and kubectl, the engine, replay of
 *   committed histories, the CLI end to end, and the Temporal UI (test/ui, Debian's Chromium).
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
          // Rendering 30 documents or loading the CUE engine takes seconds while nine idle
          // clusters share two cores: a bound, not a guess at speed.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: [
            'test/kube/**/*.test.ts',
            'test/integration/**/*.test.ts',
            'test/replay/**/*.test.ts',
            'test/upgrade/**/*.test.ts',
            'test/record/**/*.test.ts',
            'test/e2e/**/*.test.ts',
            'test/ui/**/*.test.ts',
          ],
          globalSetup: ['test/harness/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 900_000,
          // Each file runs its own worker and leases one of the two fast cluster sets (or the slow
          // one): two files at a time keep a 2-core machine responsive.
          maxWorkers: 2,
        },
      },
    ],
  },
});
