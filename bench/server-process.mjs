// The reference server in its own process, for benchmarks: prints its URL, answers 'stats' over IPC.
import { createReferenceServer } from '../dist/testing.js';

const server = await createReferenceServer();
process.on('message', (message) => {
  if (message === 'stats') process.send({ requests: server.stats.requests, stored: server.events.length });
  if (message === 'stop') void server.close().then(() => process.exit(0));
});
process.send({ url: server.url });
