// A vitest setup file: the auditlog adapter's process warnings about members it drops (onUnmappedField: 'warn')
// are expected wherever a test sends a full common event through AuditLog.co's format; they are captured here
// instead of reaching the test output. test/unit/adapters/unmapped-fields.test.ts and the CLI tests assert them
// with a spy of their own. Every other warning still goes through.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const options = rest[0];
  if (typeof options === 'object' && options !== null && (options as { code?: unknown }).code === 'AUDITWIRE_UNMAPPED_FIELD') return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
