/** What one load run measured: rates, and latencies from the time each submission was sent. */
import { quantile } from '../stats.ts';

export interface Throughput {
  submissions: number;
  acceptedPerSecond: number;
  deliveredPerSecond: number;
  /** POST sent → DELIVERED recorded (substrate: message sent → deleted after its writes), ms */
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** POST sent → 202 received (substrate: producer's writes and send done), ms */
  acceptLatencyMs: { p50: number; p99: number };
  seconds: number;
}

export function throughput(sentAt: number[], acceptedAt: number[], deliveredAt: number[]): Throughput {
  const n = sentAt.length;
  const first = Math.min(...sentAt);
  const latency = deliveredAt.map((d, i) => d - (sentAt[i] as number));
  const accept = acceptedAt.map((a, i) => a - (sentAt[i] as number));
  const lastDelivered = Math.max(...deliveredAt);
  return {
    submissions: n,
    acceptedPerSecond: n / ((Math.max(...acceptedAt) - first) / 1000),
    deliveredPerSecond: n / ((lastDelivered - first) / 1000),
    latencyMs: {
      p50: quantile(latency, 0.5),
      p95: quantile(latency, 0.95),
      p99: quantile(latency, 0.99),
      max: Math.max(...latency),
    },
    acceptLatencyMs: { p50: quantile(accept, 0.5), p99: quantile(accept, 0.99) },
    seconds: (lastDelivered - first) / 1000,
  };
}
