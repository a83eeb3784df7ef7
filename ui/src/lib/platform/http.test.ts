import { describe, expect, it, vi } from 'vitest';
import { ActionFailure, CLIENT_CODE } from './errors';
import { createHttpTransport } from './http';

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

async function failure(p: Promise<unknown>): Promise<ActionFailure> {
  try {
    await p;
  } catch (thrown) {
    if (thrown instanceof ActionFailure) return thrown;
    throw thrown;
  }
  throw new Error('expected a failure');
}

/** A hand-driven EventSource: tests open it, push messages and break it. */
class FakeSource {
  static last: FakeSource | null = null;
  readyState = 0;
  onopen: (() => void) | null = null;
  onmessage: ((m: MessageEvent<string>) => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  constructor(readonly url: string) {
    FakeSource.last = this;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  push(data: string) {
    this.onmessage?.(new MessageEvent('message', { data }));
  }
  fail(closed: boolean) {
    this.readyState = closed ? 2 : 0;
    this.onerror?.();
  }
  close() {
    this.closed = true;
  }
}

const source = (url: string) => new FakeSource(url) as unknown as EventSource;

describe('http actions', () => {
  it('POST the request as JSON to /api/actions/{name} with the same-origin cookie', async () => {
    const fetch = vi.fn(async () => json(200, { total: 3 }));
    const t = createHttpTransport({ fetch, eventSource: source });
    await expect(t.invoke('connections_list', { offset: 0 })).resolves.toEqual({ total: 3 });
    expect(fetch).toHaveBeenCalledWith('/api/actions/connections_list', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"offset":0}',
      credentials: 'same-origin',
    });
  });
  it('throw the typed ActionError of a non-2xx answer', async () => {
    const error = {
      code: 'REAUTHORIZATION_REQUIRED',
      message: 'token expired',
      request_id: 'req_1',
      next_step: 'reauthorize',
      retry_after_seconds: null,
    };
    const t = createHttpTransport({ fetch: async () => json(401, { error }), eventSource: source });
    const f = await failure(t.invoke('connection_sync', {}));
    expect(f.action).toBe('connection_sync');
    expect(f.code).toBe('REAUTHORIZATION_REQUIRED');
    expect(f.nextStep).toBe('reauthorize');
    expect(f.error.request_id).toBe('req_1');
  });
  it('fill the optional fields an error left out', async () => {
    const t = createHttpTransport({
      fetch: async () => json(404, { error: { code: 'NOT_FOUND', message: 'no such connection' } }),
      eventSource: source,
    });
    const f = await failure(t.invoke('connection_show', {}));
    expect(f.error).toEqual({
      code: 'NOT_FOUND',
      message: 'no such connection',
      request_id: null,
      next_step: null,
      retry_after_seconds: null,
    });
  });
  it('turn a network failure into the client unreachable code with a retry', async () => {
    const t = createHttpTransport({
      fetch: async () => {
        throw new TypeError('Failed to fetch');
      },
      eventSource: source,
    });
    const f = await failure(t.invoke('app_status', {}));
    expect(f.code).toBe(CLIENT_CODE.unreachable);
    expect(f.nextStep).toBe('retry');
  });
  it('turn a body that is not the contract into the bad-answer code, keeping the request id', async () => {
    const html = new Response('<html>oops</html>', {
      status: 502,
      headers: { 'x-request-id': 'req_9' },
    });
    const t = createHttpTransport({ fetch: async () => html, eventSource: source });
    const f = await failure(t.invoke('app_status', {}));
    expect(f.code).toBe(CLIENT_CODE.badAnswer);
    expect(f.error.request_id).toBe('req_9');
    const t2 = createHttpTransport({
      fetch: async () => json(500, { oops: 1 }),
      eventSource: source,
    });
    expect((await failure(t2.invoke('app_status', {}))).code).toBe(CLIENT_CODE.badAnswer);
  });
});

describe('http event stream', () => {
  it('resolve subscribe only once the stream is open, then deliver events', async () => {
    const t = createHttpTransport({ fetch: async () => json(200, {}), eventSource: source });
    const events: unknown[] = [];
    let live = false;
    const pending = t
      .subscribe((e) => events.push(e))
      .then((stop) => {
        live = true;
        return stop;
      });
    await Promise.resolve();
    expect(live).toBe(false);
    const es = FakeSource.last!;
    expect(es.url).toBe('/api/events');
    es.open();
    const stop = await pending;
    es.push('{"type":"sync_finished","records":3}');
    es.push('not json');
    expect(events).toEqual([{ type: 'sync_finished', records: 3 }]);
    stop();
    es.push('{"type":"sync_started"}');
    expect(events).toHaveLength(1);
  });
  it('report reconnecting, and reopen a stream the server closed', async () => {
    vi.useFakeTimers();
    const t = createHttpTransport({
      fetch: async () => json(200, {}),
      eventSource: source,
      reopenDelaysMs: [100],
    });
    const states: string[] = [];
    t.onStreamState((s) => states.push(s));
    const first = FakeSource.last!;
    first.open();
    first.fail(false);
    first.fail(true);
    expect(first.closed).toBe(true);
    vi.advanceTimersByTime(100);
    const second = FakeSource.last!;
    expect(second).not.toBe(first);
    second.open();
    expect(states).toEqual(['connecting', 'live', 'reconnecting', 'live']);
    vi.useRealTimers();
  });
});
