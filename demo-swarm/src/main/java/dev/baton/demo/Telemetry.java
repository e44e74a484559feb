/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import dev.baton.metrics.SpanExportWatch;
import dev.baton.propagation.ConversationUsage;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.instrumentation.micrometer.v1_5.OpenTelemetryMeterRegistry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdkBuilder;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The demo's OpenTelemetry: the SDK's own autoconfiguration, so the {@code OTEL_*} environment
 * variables and {@code otel.*} system properties work as everywhere else (exporter protocol,
 * headers, timeouts, sampler, propagators, resource attributes). One SDK per agent, so each agent
 * is its own {@code service.name}; one more for the process pushes the Micrometer meters over OTLP
 * when an endpoint is set. Every agent's spans also go to the in-process {@link TraceTree}.
 *
 * <p>What the demo sets itself: without an OTLP endpoint nothing is exported (the trees are printed
 * instead) unless {@code OTEL_TRACES_EXPORTER}/{@code OTEL_METRICS_EXPORTER} say otherwise; {@code
 * --otlp-endpoint} overrides the endpoint; the protocol defaults to {@code http/protobuf} (the
 * compose file's Jaeger listens on 4318); logs are not exported.
 */
final class Telemetry implements AutoCloseable {

  static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  private static final AttributeKey<String> NAMESPACE = AttributeKey.stringKey("service.namespace");
  private static final AttributeKey<String> INSTANCE =
      AttributeKey.stringKey("service.instance.id");

  private final TraceTree tree;
  private final @Nullable String endpoint;
  private final @Nullable SpanExporter extra;
  private final List<OpenTelemetrySdk> sdks = new ArrayList<>();
  private final SpanExportWatch exportWatch = SpanExportWatch.create();
  private final OpenTelemetrySdk processSdk;
  private final boolean exportingTraces;
  private final boolean pushingMetrics;

  /**
   * @param otlpEndpoint {@code --otlp-endpoint} (or {@code OTEL_EXPORTER_OTLP_ENDPOINT}): the OTLP
   *     base URL; a trailing {@code /v1/traces} is accepted and dropped
   * @param showInstances whether printed trees name each span's agent (replicas apart) rather than
   *     its service
   */
  Telemetry(@Nullable String otlpEndpoint, @Nullable SpanExporter extra, boolean showInstances) {
    this.tree = new TraceTree(TraceTree.DEFAULT_MAX_TRACES, showInstances);
    this.extra = extra;
    this.endpoint = otlpEndpoint == null ? null : base(otlpEndpoint);
    ConfigProperties[] seen = new ConfigProperties[1];
    AutoConfiguredOpenTelemetrySdk process =
        builder(false)
            .addPropertiesCustomizer(
                config -> {
                  seen[0] = config;
                  return Map.of();
                })
            .addResourceCustomizer(
                (resource, config) -> {
                  String name = resource.getAttribute(SERVICE_NAME);
                  Resource named =
                      name == null || name.startsWith("unknown_service")
                          ? resource.merge(
                              Resource.create(Attributes.of(SERVICE_NAME, "baton-demo")))
                          : resource;
                  return withNamespace(named);
                })
            .build();
    this.processSdk = process.getOpenTelemetrySdk();
    ConfigProperties config = seen[0];
    this.exportingTraces = !"none".equals(config.getString("otel.traces.exporter", "otlp"));
    this.pushingMetrics = !"none".equals(config.getString("otel.metrics.exporter", "otlp"));
  }

  private static String base(String endpoint) {
    String base = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
    return base.endsWith("/v1/traces")
        ? base.substring(0, base.length() - "/v1/traces".length())
        : base;
  }

  /**
   * The SDK builder with the demo's defaults and overrides; {@code agent}: an agent's SDK exports
   * traces only, the process's SDK metrics only.
   */
  private AutoConfiguredOpenTelemetrySdkBuilder builder(boolean agent) {
    return AutoConfiguredOpenTelemetrySdk.builder()
        .disableShutdownHook()
        .addPropertiesSupplier(
            () ->
                Map.of(
                    "otel.exporter.otlp.protocol", "http/protobuf",
                    "otel.logs.exporter", "none",
                    // The batch processors' own counts, for the export watch.
                    "otel.experimental.sdk.telemetry.version", "latest"))
        .addPropertiesCustomizer(
            config -> {
              Map<String, String> set = new HashMap<>();
              if (endpoint != null) {
                set.put("otel.exporter.otlp.endpoint", endpoint);
              }
              boolean anyEndpoint = endpoint != null || has(config, "otel.exporter.otlp.endpoint");
              if (!anyEndpoint
                  && !has(config, "otel.exporter.otlp.traces.endpoint")
                  && !has(config, "otel.traces.exporter")) {
                set.put("otel.traces.exporter", "none");
              }
              if (!anyEndpoint
                  && !has(config, "otel.exporter.otlp.metrics.endpoint")
                  && !has(config, "otel.metrics.exporter")) {
                set.put("otel.metrics.exporter", "none");
              }
              if (agent) {
                set.put("otel.metrics.exporter", "none");
              } else {
                set.put("otel.traces.exporter", "none");
              }
              return set;
            });
  }

  private static boolean has(ConfigProperties config, String key) {
    String value = config.getString(key);
    return value != null && !value.isBlank();
  }

  private static Resource withNamespace(Resource resource) {
    return resource.getAttribute(NAMESPACE) != null
        ? resource
        : resource.merge(Resource.create(Attributes.of(NAMESPACE, "baton-demo")));
  }

  /** Counts spans exported, failed and dropped on the way to the OTLP endpoint. */
  SpanExportWatch exportWatch() {
    return exportWatch;
  }

  /** Whether spans leave the process (OTLP or another exporter the variables chose). */
  boolean exporting() {
    return exportingTraces;
  }

  /** Whether the meters are pushed over OTLP as well as served on {@code /metrics}. */
  boolean pushingMetrics() {
    return pushingMetrics;
  }

  /**
   * A Micrometer registry whose meters the process SDK pushes (OTLP) on its own schedule; add it
   * next to the Prometheus registry. Only when {@link #pushingMetrics()}.
   */
  MeterRegistry pushRegistry() {
    return OpenTelemetryMeterRegistry.builder(processSdk).build();
  }

  TraceTree tree() {
    return tree;
  }

  /** The SDK for one agent: its own {@code service.name} whatever the variables say. */
  OpenTelemetry forAgent(String role, String agentId) {
    OpenTelemetrySdk sdk =
        builder(true)
            .addResourceCustomizer(
                (resource, config) ->
                    withNamespace(resource)
                        .merge(
                            Resource.create(Attributes.of(SERVICE_NAME, role, INSTANCE, agentId))))
            .addSpanExporterCustomizer((exporter, config) -> exportWatch.watch(exporter))
            .addMeterProviderCustomizer(
                (meters, config) -> meters.registerMetricReader(exportWatch.newReader()))
            .addTracerProviderCustomizer(
                (traces, config) -> {
                  // LLM spans' gen_ai.usage.* tokens go into the task's conversation totals.
                  traces.addSpanProcessor(ConversationUsage.create());
                  traces.addSpanProcessor(tree);
                  if (extra != null) {
                    traces.addSpanProcessor(SimpleSpanProcessor.create(extra));
                  }
                  return traces;
                })
            .build()
            .getOpenTelemetrySdk();
    synchronized (sdks) {
      sdks.add(sdk);
    }
    return sdk;
  }

  @Override
  public void close() {
    synchronized (sdks) {
      for (OpenTelemetrySdk sdk : sdks) {
        sdk.getSdkTracerProvider().forceFlush();
        sdk.close();
      }
      sdks.clear();
    }
    processSdk.getSdkMeterProvider().forceFlush();
    processSdk.close();
  }
}
