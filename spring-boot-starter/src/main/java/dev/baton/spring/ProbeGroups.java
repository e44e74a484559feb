package dev.baton.spring;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.health.actuate.endpoint.AdditionalHealthEndpointPath;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.actuate.endpoint.HttpCodeStatusMapper;
import org.springframework.boot.health.actuate.endpoint.StatusAggregator;
import org.springframework.core.Ordered;

/**
 * Adds Baton's indicators to Actuator's {@code readiness} and {@code liveness} groups, beside the
 * members Spring Boot put there ({@code readinessState}, {@code livenessState}) and any the
 * application configured. Runs after Spring Boot's own probe groups are made; groups that do not
 * exist (probes off) are left alone.
 */
final class ProbeGroups implements HealthEndpointGroupsPostProcessor, Ordered {

  static final Set<String> READINESS =
      Set.of("batonNats", "batonKafka", "batonBacklog", "batonAgents");
  static final Set<String> LIVENESS = Set.of("batonHeartbeat");

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }

  @Override
  public HealthEndpointGroups postProcessHealthEndpointGroups(HealthEndpointGroups groups) {
    Map<String, HealthEndpointGroup> named = new HashMap<>();
    for (String name : groups.getNames()) {
      HealthEndpointGroup group = groups.get(name);
      Set<String> added =
          name.equals("readiness") ? READINESS : name.equals("liveness") ? LIVENESS : Set.of();
      named.put(name, added.isEmpty() ? group : new WithMembers(group, added));
    }
    return HealthEndpointGroups.of(groups.getPrimary(), named);
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
