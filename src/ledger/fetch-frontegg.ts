import type { FronteggAuditsPage, FronteggAuditsQuery } from '../adapters/frontegg-audits-api.js';
import type { ExportItem } from './reconcile-ledger.js';

/** One page of a tenant's stored audits: `AuditsClient.getAudits`. */
export type FronteggPageReader = (query: FronteggAuditsQuery) => Promise<FronteggAuditsPage>;

export interface FronteggFetchOptions {
  /** The tenants whose audits are read; every tenant the ledger's Frontegg events went to. */
  readonly tenantIds: readonly string[];
  /** Audits per `getAudits` call. @default 100 */
  readonly pageSize?: number;
  /** At most this many pages per tenant: a service that never ends its listing cannot keep the command going. @default 1,000,000 */
  readonly maxPages?: number;
}

/**
 * The members Frontegg adds to each stored audit (@frontegg/client's `Audit` type,
 * node_modules/@frontegg/client/dist/src/clients/audits/types.d.ts): removed to get back the body that was sent.
 */
const VENDOR_MEMBERS = ['frontegg_id', 'createdAt', 'updatedAt', 'vendorId'] as const;

/**
 * Every stored audit of each tenant, read back page by page with Frontegg's `getAudits` (oldest first, so
 * audits stored while reading are appended after the pages already read), as export items for
 * `reconcileLedger`: the audit minus the members Frontegg adds is the body whose auditwire hash the ledger
 * holds, and `auditwireId` (spec/EVENT.md section 8) is the event id. An audit without `auditwireId` was not sent
 * by auditwire: its Frontegg id stands in, so it is reported as unknown to the ledger. A failed read is an
 * unreadable item and ends that tenant's listing.
 */
export async function* fetchFronteggAudits(readPage: FronteggPageReader, options: FronteggFetchOptions): AsyncGenerator<ExportItem> {
  const count = options.pageSize ?? 100;
  const maxPages = options.maxPages ?? 1_000_000;
  for (const tenantId of options.tenantIds) {
    let offset = 0;
    for (let page = 0; page < maxPages; page++) {
      const where = `tenant ${tenantId}, audits ${offset}..`;
      let answer: FronteggAuditsPage;
      try {
        answer = await readPage({ tenantId, offset, count, sortBy: 'createdAt', sortDirection: 'ASC' });
      } catch (error) {
        yield { where, ok: false, error: `getAudits failed (${error instanceof Error ? error.message : String(error)})` };
        break;
      }
      if (!Array.isArray(answer.data)) {
        yield { where, ok: false, error: 'getAudits answered without a "data" array' };
        break;
      }
      for (const [index, audit] of answer.data.entries()) yield exportItem(audit, `tenant ${tenantId}, audit ${offset + index}`);
      offset += answer.data.length;
      // A short page is the last one; so is reaching the total the service counts.
      if (answer.data.length < count || (typeof answer.total === 'number' && offset >= answer.total)) break;
      if (page === maxPages - 1) yield { where, ok: false, error: `still more audits after ${maxPages} pages: stopped reading this tenant` };
    }
  }
}

function exportItem(audit: unknown, where: string): ExportItem {
  if (typeof audit !== 'object' || audit === null || Array.isArray(audit)) return { where, ok: false, error: 'is not an audit object' };
  const body: Record<string, unknown> = { ...(audit as Record<string, unknown>) };
  const serverId = body.frontegg_id;
  for (const member of VENDOR_MEMBERS) delete body[member];
  const eventId = typeof body.auditwireId === 'string' ? body.auditwireId : typeof serverId === 'string' ? `frontegg_id ${serverId}` : undefined;
  if (eventId === undefined) return { where, ok: false, error: 'has neither "auditwireId" nor "frontegg_id"' };
  return { where, ok: true, value: { format: 'frontegg', serverId, eventId, body } };
}
