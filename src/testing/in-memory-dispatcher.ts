import { MockAgent, type Dispatcher } from 'undici';

/**
 * The origin the recorder's requests name. A loopback port nothing listens on: a client that was not given the
 * recorder's dispatcher gets an immediate connection refusal on this machine, never a request to the outside.
 */
export const RECORDER_ORIGIN = 'http://127.0.0.1:9';

export interface InMemoryReply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * An undici dispatcher that answers every request to `RECORDER_ORIGIN` by calling `answer` with its path, in this
 * process, and refuses every other origin instead of connecting (`disableNetConnect`). undici's own `MockAgent` is
 * used because it is the public, maintained way to stand in for the network under `request()`.
 */
export function createInMemoryDispatcher(answer: (path: string) => InMemoryReply): Dispatcher {
  const agent = new MockAgent();
  agent.disableNetConnect();
  agent
    .get(RECORDER_ORIGIN)
    .intercept({ path: () => true, method: () => true })
    .reply((request) => {
      const reply = answer(request.path);
      return { statusCode: reply.status, data: reply.body, responseOptions: { headers: { 'content-type': 'application/json', ...reply.headers } } };
    })
    .persist();
  return agent;
}
