import type { ReferenceServer } from '../../../src/testing.js';
import { field, send, type Answer } from './http.js';

// One valid request per wire format, so the cross-format tests (faults, JSONL, onRequest) run on all four.

export const AUDITLOG_ELEMENT = {
  uuid: 'evt-a',
  time: '2026-01-02T03:04:05.678Z',
  action: 'user.login',
  client: { uuid: 'acme' },
  actor: { uuid: 'u-1' },
  context: { server: { serverId: 'api', version: '1.0.0' } },
};
export const RETRACED_EVENT = { action: 'user.login', crud: 'c', actor: { id: 'u-1' }, external_id: 'evt-r' };
export const LOGZAB_EVENT = { actor: { unique_id: 'u-1', name: 'Jane' }, object: 'invoice', action: 'update', desc: '{"id":"evt-l"}' };
export const FRONTEGG_AUDIT = { tenantId: 'acme', severity: 'Info', action: 'update', auditwireId: 'evt-f' };

export interface FormatCase {
  readonly name: 'auditlog' | 'retraced' | 'logzab' | 'frontegg';
  readonly eventId: string;
  readonly successStatus: number;
  /** Sends one valid event (Frontegg: fetches a token first, which faults never touch). */
  send(server: ReferenceServer): Promise<Answer>;
  /** The hashes in a success answer. */
  hashes(answer: Answer): string[];
}

export const FORMATS: readonly FormatCase[] = [
  {
    name: 'auditlog',
    eventId: 'evt-a',
    successStatus: 200,
    send: (server) => send(`${server.url}/api/v1/events`, { body: [AUDITLOG_ELEMENT], headers: { 'x-api-key': 'c:s' } }),
    hashes: (answer) => field<Array<{ hash: string }>>(answer.json, 'receivedEvents').map((entry) => entry.hash),
  },
  {
    name: 'retraced',
    eventId: 'evt-r',
    successStatus: 201,
    send: (server) => send(`${server.url}/publisher/v1/project/p/event`, { body: RETRACED_EVENT, headers: { authorization: 'Token token=t' } }),
    hashes: (answer) => [field<string>(answer.json, 'hash')],
  },
  {
    name: 'logzab',
    eventId: 'evt-l',
    successStatus: 200,
    send: (server) => send(`${server.url}/v1/addTrail`, { body: { apiKey: 'k', ...LOGZAB_EVENT } }),
    hashes: (answer) => [field<string>(answer.json, 'hash')],
  },
  {
    name: 'frontegg',
    eventId: 'evt-f',
    successStatus: 202,
    send: async (server) => {
      const token = field<string>((await send(`${server.url}/auth/vendor`, { body: { clientId: 'c', secret: 's' } })).json, 'token');
      return send(`${server.url}/audits/`, { body: FRONTEGG_AUDIT, headers: { 'x-access-token': token, 'frontegg-tenant-id': 'acme' } });
    },
    hashes: (answer) => [field<string>(answer.json, 'hash')],
  },
];
