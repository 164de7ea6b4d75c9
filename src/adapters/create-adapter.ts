import { ValidationError, type ValidationIssue } from '../errors.js';
import type { ResolvedOptions } from '../options.js';
import type { Adapter } from './adapter.js';
import { AUDITLOG_ENDPOINT, createAuditLogAdapter } from './auditlog.js';
import { createFronteggAdapter } from './frontegg.js';
import { createLogZabAdapter } from './logzab.js';
import { createRetracedAdapter, RETRACED_ENDPOINT } from './retraced.js';

/** Builds the adapter the options name, or reports every missing setting at once (with its environment variable). */
export function createAdapter(options: ResolvedOptions): Adapter {
  if (typeof options.adapter !== 'string') return options.adapter;
  const issues: ValidationIssue[] = [];
  const need = (value: string | undefined, option: string, env: string): string => {
    if (value === undefined) issues.push({ path: `options.${option}`, message: `required by the ${String(options.adapter)} adapter (or set ${env})` });
    return value ?? '';
  };
  const done = <T>(adapter: () => T): T => {
    if (issues.length > 0) throw new ValidationError(issues);
    return adapter();
  };
  const { endpoint } = options;
  switch (options.adapter) {
    case 'auditlog': {
      const apiKey = need(options.apiKey, 'apiKey', 'AUDITWIRE_API_KEY');
      // Copied into every event's context.server: over the vendor's limits, every event would be refused
      // (spec/EVENT.md section 5), so it is a configuration error.
      if (options.server.id.length > 240) issues.push({ path: 'options.server.id', message: 'at most 240 characters (AuditLog.co context.server.serverId)' });
      if (options.server.version.length > 80) issues.push({ path: 'options.server.version', message: 'at most 80 characters (AuditLog.co context.server.version)' });
      return done(() => createAuditLogAdapter({ endpoint: endpoint ?? AUDITLOG_ENDPOINT, apiKey }));
    }
    case 'retraced': {
      const apiKey = need(options.apiKey, 'apiKey', 'AUDITWIRE_API_KEY');
      const projectId = need(options.projectId, 'projectId', 'AUDITWIRE_PROJECT_ID');
      return done(() => createRetracedAdapter({ endpoint: endpoint ?? RETRACED_ENDPOINT, apiKey, projectId }));
    }
    case 'logzab': {
      const apiKey = need(options.apiKey, 'apiKey', 'AUDITWIRE_API_KEY');
      return done(() => createLogZabAdapter({ endpoint, apiKey }));
    }
    case 'frontegg': {
      const { clientId, apiKey } = options;
      // Both or neither: without them, init(clientId, apiKey) supplies them later (Frontegg's own flow).
      if ((clientId === undefined) !== (apiKey === undefined)) {
        const [missing, env] = clientId === undefined ? ['clientId', 'FRONTEGG_CLIENT_ID'] : ['apiKey', 'FRONTEGG_API_KEY'];
        // Often not a Frontegg user at all, but one who left out `adapter`: say what the default is and how to change it.
        issues.push({
          path: `options.${missing}`,
          message:
            `the frontegg adapter (the default when neither options.adapter nor AUDITWIRE_ADAPTER is set) needs clientId and apiKey ` +
            `together (or set ${env}, or leave both out and call init()); for another service, pass adapter: 'auditlog', 'retraced' or 'logzab'`,
        });
      }
      const credentials = clientId !== undefined && apiKey !== undefined ? { clientId, apiKey } : undefined;
      return done(() => createFronteggAdapter({ endpoint, credentials }));
    }
  }
}
