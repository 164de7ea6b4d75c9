import nock from 'nock';
import { it } from 'vitest';
import { AuditsClient } from '../../../src/index.js';
it('probe fn', async () => {
  nock.disableNetConnect();
  let seen: unknown;
  const scope = nock('http://127.0.0.1:4318').post('/api/v1/events');
  scope.reply(async (req: Request) => { seen = [req.url, req.method, Object.fromEntries(req.headers), await req.text()]; return [200, { receivedEvents: [{ id: 's1', uuid: 'x' }] }, {'x-a': 'b'}]; });
  const client = new AuditsClient({ adapter: 'auditlog', endpoint: 'http://127.0.0.1:4318', apiKey: 'consumer:secret', flushIntervalMs: 0, requestTimeoutMs: 1000, retry: { maxRetries: 0 } });
  const r = await client.sendAudit({ action: "a.b" }).catch((e) => { console.log(e); throw e; });
  console.log(r.serverId, seen);
  await client.close();
  nock.cleanAll(); nock.enableNetConnect();
});
