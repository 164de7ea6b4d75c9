// What docs/testing.md tells vitest users to write: teaches vitest's types the matchers of `auditMatchers`.
import 'vitest';
import type { AuditMatchers } from '../../../src/testing.js';

declare module 'vitest' {
  interface Matchers<R, T> extends AuditMatchers<R> {}
}
