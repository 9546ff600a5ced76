import type { IncomingMessage, ServerResponse } from 'node:http'
import { ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, type Tracer, context, propagation, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import type { CallInstrument } from '../federation/circuit-breaker.js'
import { outcomeOf } from './metrics.js'

/**
 * OpenTelemetry traces, exported over OTLP/HTTP when
 * `telemetry.otlp.endpoint` is set (off by default: no span is made at all).
 * A span per HTTP request (continuing the caller's W3C `traceparent`), per
 * GraphQL operation and per backend call; the MLflow client passes the
 * active context on as `traceparent` (adapters/mlflow/client.ts), so a
 * trace reaches the MLflow server. Attributes hold routes, operation names,
 * backend ids and error codes: never ids, values or secrets.
 */
export class GatewayTracing {
  private readonly provider: TracerProvider
  readonly tracer: Tracer

  constructor(options: { endpoint: string; serviceName: string; headers: Record<string, string> }) {
    installContextOnce()
    this.provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': options.serviceName }),
      spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: options.endpoint, headers: options.headers }), scheduledDelayMillis: 1000 })],
    })
    this.tracer = this.provider.getTracer('mlgate')
  }

  /** Runs one HTTP request's handling inside its server span, a child of the caller's trace when it sent `traceparent`. */
  serveRequest<T>(request: IncomingMessage, response: ServerResponse, work: () => T): T {
    const parent = propagation.extract(ROOT_CONTEXT, request.headers)
    const path = (request.url ?? '/').split('?')[0].slice(0, 200)
    const span = this.tracer.startSpan(`${request.method ?? 'GET'} ${routeOf(path)}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method ?? 'GET', 'url.path': path } }, parent)
    response.once('close', () => {
      span.setAttribute('http.response.status_code', response.statusCode)
      if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
      span.end()
    })
    return context.with(trace.setSpan(parent, span), work)
  }

  /** A span around `run`, active while it runs (so what it calls nests under it). */
  async inSpan<T>(name: string, attributes: Record<string, string>, run: (span: Span) => Promise<T>): Promise<T> {
    return this.tracer.startActiveSpan(name, { attributes }, async (span) => {
      try {
        return await run(span)
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: outcomeOf(error) })
        throw error
      } finally {
        span.end()
      }
    })
  }

  /** A span per call into a backend, named for the backend and the call. */
  backendCallInstrument(backendId: string): CallInstrument {
    return (call, _args, run) => this.inSpan(`${backendId} ${call}`, { 'mlgate.backend': backendId, 'mlgate.call': call }, () => run())
  }

  /** Sends what is buffered and stops (the gateway's close). */
  shutdown(): Promise<void> {
    return this.provider.shutdown()
  }
}

/** A span name's route: the path, with what follows a fixed prefix (artifact paths, logged-model ids) cut, so names stay few. */
function routeOf(path: string): string {
  if (path.startsWith('/api/2.0/mlflow-artifacts/')) return '/api/2.0/mlflow-artifacts/*'
  if (path.startsWith('/assets/')) return '/assets/*'
  if (/\/logged-models\/[^/]+\//.test(path)) return path.replace(/\/logged-models\/[^/]+\/.*/, '/logged-models/*')
  return path
}

let contextInstalled = false

/** The context manager and W3C propagator are process-wide in OpenTelemetry's API: installed once, by the first gateway that traces. */
function installContextOnce(): void {
  if (contextInstalled) return
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  propagation.setGlobalPropagator(new W3CTraceContextPropagator())
  contextInstalled = true
}
