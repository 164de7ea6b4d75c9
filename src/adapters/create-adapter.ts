import { ValidationError, type ValidationIssue } from '../errors.js';
import type { ResolvedOptions } from '../options.js';
import type { Adapter } from './adapter.js';
import { createAuditLogAdapter } from './auditlog.js';

/** Builds the adapter the options name, or reports every missing setting at once (with its environment variable). */
export function createAdapter(options: ResolvedOptions): Adapter {
  if (typeof options.adapter !== 'string') return options.adapter;
  const issues: ValidationIssue[] = [];
  const need = (value: string | undefined, option: string, env: string): string => {
    if (value === undefined) issues.push({ path: `options.${option}`, message: `required by the ${String(options.adapter)} adapter (or set ${env})` });
    return value ?? '';
  };
  switch (options.adapter) {
    case 'auditlog': {
      const endpoint = need(options.endpoint, 'endpoint', 'AUDITWIRE_ENDPOINT');
      const apiKey = need(options.apiKey, 'apiKey', 'AUDITWIRE_API_KEY');
      if (issues.length > 0) throw new ValidationError(issues);
      return createAuditLogAdapter({ endpoint, apiKey });
    }
    default:
      throw new ValidationError([{ path: 'options.adapter', message: `the ${options.adapter} adapter is not available in this version yet` }]);
  }
}
