// The OpenTelemetry SDK as the tests read it: a metric reader collected on demand,
// and spans kept in memory. The context manager makes `context.active()` follow
// async calls, as NodeSDK's does, so parents can be asserted.
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { context, propagation } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { type DataPoint, type Histogram, MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";

/** Collects only when asked (`collect()`), like a Prometheus scrape. */
class OnDemandMetricReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

let registered = false;
/** The global context manager and W3C propagator (once per test file). */
function registerGlobals(): void {
  if (registered) return;
  registered = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}

export interface TestSdk {
  readonly meterProvider: MeterProvider;
  readonly tracerProvider: BasicTracerProvider;
  readonly spans: InMemorySpanExporter;
  /** Every data point of `name`, after a collection. */
  points(name: string): Promise<Array<DataPoint<number>>>;
  histogram(name: string): Promise<Array<DataPoint<Histogram>>>;
  /** Every instrument name that has data. */
  names(): Promise<string[]>;
  finishedSpans(): ReadableSpan[];
  shutdown(): Promise<void>;
}

export function createTestSdk(): TestSdk {
  registerGlobals();
  const reader = new OnDemandMetricReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  async function metricsNamed(name: string) {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) throw errors[0];
    return resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .filter((metric) => metric.descriptor.name === name);
  }
  return {
    meterProvider,
    tracerProvider,
    spans,
    async points(name) {
      return (await metricsNamed(name)).flatMap((metric) => metric.dataPoints as Array<DataPoint<number>>);
    },
    async histogram(name) {
      return (await metricsNamed(name)).flatMap((metric) => metric.dataPoints as Array<DataPoint<Histogram>>);
    },
    async names() {
      const { resourceMetrics } = await reader.collect();
      return resourceMetrics.scopeMetrics
        .flatMap((scope) => scope.metrics)
        .filter((metric) => metric.dataPoints.length > 0)
        .map((metric) => metric.descriptor.name);
    },
    finishedSpans: () => spans.getFinishedSpans(),
    async shutdown() {
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
    },
  };
}

/** Data points as `{ attributes, value }`, sorted, for `toEqual`. */
export function summarize(
  points: ReadonlyArray<DataPoint<number>>,
): Array<{ attributes: Record<string, unknown>; value: number }> {
  return points
    .map((point) => ({ attributes: { ...point.attributes }, value: point.value }))
    .sort((a, b) => JSON.stringify(a.attributes).localeCompare(JSON.stringify(b.attributes)));
}
