package dev.baton.health;

import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One agent's health as its heartbeats tell it.
 *
 * @param agentId the agent's id
 * @param agentName the agent's name
 * @param status HEALTHY while heartbeats arrive, UNHEALTHY after three missed intervals
 * @param state what the agent says it is doing ({@code idle}, {@code working}, ...)
 * @param currentTask the task it reports, or {@code null}
 * @param startedAt when the agent started
 * @param lastHeartbeat when its last heartbeat arrived
 * @param resources what it reports about itself (cpu, memory)
 */
public record AgentHealth(
    String agentId,
    String agentName,
    HealthStatus status,
    String state,
    @Nullable String currentTask,
    Instant startedAt,
    Instant lastHeartbeat,
    Map<String, Object> resources) {}
