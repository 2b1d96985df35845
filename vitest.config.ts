import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', './test/helpers/count-reporter.ts'],
    projects: [
      {
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 20000 },
      },
      {
        // Kernel tests share the CPU, the kernel and bpftrace: one file at a time.
        test: {
          name: 'kernel',
          include: ['test/kernel/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 120000,
          hookTimeout: 60000,
        },
      },
    ],
  },
});
