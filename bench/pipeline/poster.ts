/**
 * The load: a worker thread (its own core, not the hub's event loop) that posts submissions to the hub, at most
 * `concurrency` at a time, as a form provider catching up would: a 429 or 503 is sent again after the wait the hub
 * asks for. Sends back, per submission, when it was sent and when the 202 came, and its trackingId.
 */
import { parentPort, workerData } from 'node:worker_threads';

export interface PosterInput {
  url: string;
  token: string;
  /** Request bodies (JSON text), posted in this order */
  bodies: string[];
  concurrency: number;
}

export interface PosterOutput {
  /** Epoch ms (Date.now) per submission: first attempt sent, 202 received */
  sentAt: number[];
  acceptedAt: number[];
  trackingIds: string[];
  /** Answers that asked to come back later (429 throttled, 503 starting) */
  throttled: number;
  failed: { status: number; body: string }[];
}

async function post(input: PosterInput): Promise<PosterOutput> {
  const n = input.bodies.length;
  const out: PosterOutput = {
    sentAt: new Array(n).fill(0),
    acceptedAt: new Array(n).fill(0),
    trackingIds: new Array(n).fill(''),
    throttled: 0,
    failed: [],
  };
  let next = 0;
  const one = async (i: number) => {
    out.sentAt[i] = Date.now();
    for (;;) {
      const response = await fetch(`${input.url}/v1/submissions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${input.token}`, 'content-type': 'application/json' },
        body: input.bodies[i],
      });
      const text = await response.text();
      if (response.status === 202 || response.status === 200) {
        out.acceptedAt[i] = Date.now();
        out.trackingIds[i] = (JSON.parse(text) as { trackingId: string }).trackingId;
        return;
      }
      if (response.status === 429 || response.status === 503) {
        out.throttled++;
        const wait = Number(response.headers.get('retry-after') ?? '1');
        await new Promise((r) => setTimeout(r, Math.max(0.05, wait) * 1000));
        continue;
      }
      out.failed.push({ status: response.status, body: text.slice(0, 300) });
      return;
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(input.concurrency, n) }, async () => {
      while (next < n) await one(next++);
    }),
  );
  return out;
}

if (parentPort && workerData) {
  const port = parentPort;
  post(workerData as PosterInput).then(
    (result) => port.postMessage({ result }),
    (error: unknown) => port.postMessage({ error: String((error as Error)?.stack ?? error) }),
  );
}
