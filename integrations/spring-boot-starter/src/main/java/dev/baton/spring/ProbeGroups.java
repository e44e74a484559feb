/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.spring;

import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.support.MergedBeanDefinitionPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.web.AdditionalPathsMapper;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.health.actuate.endpoint.AdditionalHealthEndpointPath;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.HttpCodeStatusMapper;
import org.springframework.boot.health.actuate.endpoint.StatusAggregator;

/**
 * Adds Baton's indicators to Actuator's {@code readiness} and {@code liveness} groups, beside the
 * members Spring Boot put there ({@code readinessState}, {@code livenessState}) and any the
 * application configured. It wraps the finished {@link HealthEndpointGroups} bean after Spring
 * Boot's own post-processing made the probe groups: Spring runs the processors that are also {@link
 * MergedBeanDefinitionPostProcessor}s after every other, whatever the order of registration (a
 * {@code HealthEndpointGroupsPostProcessor} would run before Spring Boot's, which are unordered and
 * registered later). Groups that do not exist (probes off) are left alone.
 */
final class ProbeGroups implements MergedBeanDefinitionPostProcessor {

  static final Set<String> READINESS =
      Set.of("batonNats", "batonKafka", "batonBacklog", "batonAgents");
  static final Set<String> LIVENESS = Set.of("batonHeartbeat");

  @Override
  public void postProcessMergedBeanDefinition(
      RootBeanDefinition beanDefinition, Class<?> beanType, String beanName) {
    // Nothing: the interface only places this processor after every ordinary one.
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    return bean instanceof HealthEndpointGroups groups ? new Groups(groups) : bean;
  }

  /** The groups with Baton's members added to the two probe groups. */
  private record Groups(HealthEndpointGroups groups)
      implements HealthEndpointGroups, AdditionalPathsMapper {
    @Override
    public HealthEndpointGroup getPrimary() {
      return groups.getPrimary();
    }

    @Override
    public Set<String> getNames() {
      return groups.getNames();
    }

    @Override
    public @Nullable HealthEndpointGroup get(String name) {
      HealthEndpointGroup group = groups.get(name);
      if (group == null) {
        return null;
      }
      Set<String> added =
          name.equals("readiness") ? READINESS : name.equals("liveness") ? LIVENESS : Set.of();
      return added.isEmpty() ? group : new WithMembers(group, added);
    }

    @Override
    public @Nullable List<String> getAdditionalPaths(
        EndpointId endpointId, WebServerNamespace webServerNamespace) {
      return groups instanceof AdditionalPathsMapper mapper
          ? mapper.getAdditionalPaths(endpointId, webServerNamespace)
          : null;
    }
  }

  private record WithMembers(HealthEndpointGroup group, Set<String> added)
      implements HealthEndpointGroup {
    @Override
    public boolean isMember(String name) {
      return added.contains(name) || group.isMember(name);
    }

    @Override
    public boolean showComponents(SecurityContext securityContext) {
      return group.showComponents(securityContext);
    }

    @Override
    public boolean showDetails(SecurityContext securityContext) {
      return group.showDetails(securityContext);
    }

    @Override
    public StatusAggregator getStatusAggregator() {
      return group.getStatusAggregator();
    }

    @Override
    public HttpCodeStatusMapper getHttpCodeStatusMapper() {
      return group.getHttpCodeStatusMapper();
    }

    @Override
    public AdditionalHealthEndpointPath getAdditionalPath() {
      return group.getAdditionalPath();
    }
  }
}
