export { type ObservableAppOptions, createObservableApp } from "./app.js";
export { CERTIFICATE_WARNING_DAYS, logFields, logWebhookEvent } from "./log-event.js";
export { type PrometheusMetrics, createPrometheusMetrics } from "./metrics.js";
