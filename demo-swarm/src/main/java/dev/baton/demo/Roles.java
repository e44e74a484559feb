/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.demo;

import java.util.List;

/** The agent roles and the destinations they talk on. */
final class Roles {

  static final String COORDINATOR = "coordinator";
  static final String RESEARCHER = "researcher";
  static final String CODER = "coder";
  static final String REVIEWER = "reviewer";
  static final String SUMMARIZER = "summarizer";
  static final List<String> ALL = List.of(COORDINATOR, RESEARCHER, CODER, REVIEWER, SUMMARIZER);

  /**
   * The pair {@code --loop} adds next to the coordinator: a critic that always finds one more flaw
   * and a reviser that always answers it, bouncing a task's draft until Baton's loop breaker stops
   * them.
   */
  static final String CRITIC = "critic";

  static final String REVISER = "reviser";

  /** Where outside callers submit tasks: JSON {@code {"prompt": "...", "task_id": "optional"}}. */
  static final String SUBMIT = "agents.tasks.submit";

  static final String RESEARCH = "agents.research";
  static final String CODE = "agents.code";
  static final String REVIEW = "agents.review";
  static final String SUMMARIZE = "agents.summarize";
  static final String DONE = "agents.tasks.done";
  static final String DEAD_LETTER = "agents.dlq";
  static final String CRITIQUE = "agents.critique";
  static final String REVISE = "agents.revise";

  /**
   * The destinations on the broker's durable path (JetStream on NATS; every topic on Kafka): every
   * hand-off that carries work. Only the summary's request/reply and the heartbeats are core NATS.
   */
  static final List<String> DURABLE =
      List.of(SUBMIT, RESEARCH, CODE, REVIEW, DONE, CRITIQUE, REVISE);

  private Roles() {}
}
