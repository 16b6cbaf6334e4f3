// A Prometheus histogram whose buckets are computed at scrape time (from the database) rather
// than observed in this process: prom-client's Histogram can only observe, so this renders the
// same `_bucket` / `_sum` / `_count` series from precomputed cumulative counts.
import type { Metric } from 'prom-client';

export interface HistogramSeries {
  labels: Record<string, string>;
  count: number;
  sum: number;
  /** `cumulative[i]` observations were <= `bounds[i]`. */
  cumulative: number[];
}

interface SeriesValue {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

export class ScrapedHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    readonly bounds: readonly number[],
    private readonly read: () => Promise<HistogramSeries[]>,
  ) {}

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: SeriesValue[] }> {
    const values: SeriesValue[] = [];
    for (const series of await this.read()) {
      this.bounds.forEach((bound, index) => {
        values.push({ metricName: `${this.name}_bucket`, labels: { ...series.labels, le: bound }, value: series.cumulative[index] ?? 0 });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { ...series.labels, le: '+Inf' }, value: series.count });
      values.push({ metricName: `${this.name}_sum`, labels: series.labels, value: series.sum });
      values.push({ metricName: `${this.name}_count`, labels: series.labels, value: series.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Nothing is kept between scrapes. */
  reset(): void {}

  /** The registry only needs `name`, `help`, `type` and `get()`; prom-client's Metric union has no slot for a custom class. */
  asMetric(): Metric {
    return this as unknown as Metric;
  }
}
