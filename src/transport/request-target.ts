/** A request URL split as undici's dispatch takes it. */
export interface RequestTarget {
  readonly origin: string;
  readonly path: string;
}

/** Adapters send to a handful of fixed URLs: each is parsed once. Bounded, in case some adapter's URLs vary. */
const MAX_CACHED = 64;
const cache = new Map<string, RequestTarget>();

/** The origin and path (with the query) of an absolute http(s) URL, parsed once per distinct URL. */
export function requestTarget(url: string): RequestTarget {
  let target = cache.get(url);
  if (target === undefined) {
    const parsed = new URL(url);
    target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(url, target);
  }
  return target;
}
