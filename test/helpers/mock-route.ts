import nock from 'nock';

/** One request as a mocked route saw it. */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
}

/** `[status, body?, headers?]`, as nock's full reply function expects. */
export type RouteReply = readonly [number] | readonly [number, unknown] | readonly [number, unknown, Record<string, string>];
export type RouteResponder = (request: RecordedRequest) => RouteReply | Promise<RouteReply>;

/**
 * One POST route on nock that records every request reaching it, for any vendor. `reply` registers single-use
 * interceptors consumed in order; `always` a persistent one. (nock 15 hands reply functions a fetch `Request`.)
 */
export class MockRoute {
  readonly requests: RecordedRequest[] = [];

  constructor(
    private readonly base: string,
    private readonly path: string | RegExp,
  ) {}

  reply(responder: RouteResponder, times = 1): this {
    nock(this.base)
      .post(this.path)
      .times(times)
      .reply(async (request: Request) => responder(await this.#record(request)));
    return this;
  }

  always(responder: RouteResponder): this {
    nock(this.base)
      .persist()
      .post(this.path)
      .reply(async (request: Request) => responder(await this.#record(request)));
    return this;
  }

  /** The parsed bodies, in order. */
  get bodies(): unknown[] {
    return this.requests.map((request) => request.json);
  }

  async #record(request: Request): Promise<RecordedRequest> {
    const body = await request.text();
    const recorded = { method: request.method, url: request.url, headers: Object.fromEntries(request.headers), body, json: parseJson(body) };
    this.requests.push(recorded);
    return recorded;
  }
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}
