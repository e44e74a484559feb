/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.propagation.internal;

import io.opentelemetry.api.common.AttributeKey;

/**
 * Not API: the attribute names Baton writes: OpenTelemetry messaging semantic conventions (v1.43
 * names), the GenAI agent attributes, and Baton's own under {@code baton.}.
 */
public final class SemConv {

  public static final AttributeKey<String> MESSAGING_SYSTEM =
      AttributeKey.stringKey("messaging.system");
  public static final AttributeKey<String> DESTINATION_NAME =
      AttributeKey.stringKey("messaging.destination.name");
  public static final AttributeKey<String> DESTINATION_TEMPLATE =
      AttributeKey.stringKey("messaging.destination.template");
  public static final AttributeKey<Boolean> DESTINATION_TEMPORARY =
      AttributeKey.booleanKey("messaging.destination.temporary");
  public static final AttributeKey<String> OPERATION_TYPE =
      AttributeKey.stringKey("messaging.operation.type");
  public static final AttributeKey<String> OPERATION_NAME =
      AttributeKey.stringKey("messaging.operation.name");
  public static final AttributeKey<String> MESSAGE_ID =
      AttributeKey.stringKey("messaging.message.id");
  public static final AttributeKey<String> CONVERSATION_ID =
      AttributeKey.stringKey("messaging.message.conversation_id");
  public static final AttributeKey<Long> BODY_SIZE =
      AttributeKey.longKey("messaging.message.body.size");
  public static final AttributeKey<Long> BATCH_COUNT =
      AttributeKey.longKey("messaging.batch.message_count");
  public static final AttributeKey<String> CONSUMER_GROUP =
      AttributeKey.stringKey("messaging.consumer.group.name");
  public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  public static final AttributeKey<String> AGENT_NAME = AttributeKey.stringKey("gen_ai.agent.name");
  public static final AttributeKey<String> AGENT_ID = AttributeKey.stringKey("gen_ai.agent.id");
  public static final AttributeKey<String> GEN_AI_CONVERSATION_ID =
      AttributeKey.stringKey("gen_ai.conversation.id");
  public static final AttributeKey<String> GEN_AI_OPERATION_NAME =
      AttributeKey.stringKey("gen_ai.operation.name");

  /**
   * How a hand-off passes work on (proposed in the GenAI conventions' pull request 447): {@code
   * return_to_caller} for a request, {@code pass_control} for a fire-and-forget message.
   */
  public static final AttributeKey<String> GEN_AI_TRANSFER_MODE =
      AttributeKey.stringKey("gen_ai.transfer.mode");

  /** The GenAI operation of a process span in GenAI mode. */
  public static final String INVOKE_AGENT = "invoke_agent";

  /** A conversation's hand-offs so far, on a process span. */
  public static final AttributeKey<Long> CONVERSATION_HOPS =
      AttributeKey.longKey("baton.conversation.hops");

  /** The distinct agents a conversation passed through so far, this one included. */
  public static final AttributeKey<Long> CONVERSATION_AGENTS =
      AttributeKey.longKey("baton.conversation.agents");

  public static final AttributeKey<Long> CONVERSATION_INPUT_TOKENS =
      AttributeKey.longKey("baton.conversation.input_tokens");
  public static final AttributeKey<Long> CONVERSATION_OUTPUT_TOKENS =
      AttributeKey.longKey("baton.conversation.output_tokens");
  public static final AttributeKey<Double> CONVERSATION_COST =
      AttributeKey.doubleKey("baton.conversation.cost");

  /** Seconds handlers spent on the conversation so far, this handler's included. */
  public static final AttributeKey<Double> CONVERSATION_HANDLER_TIME =
      AttributeKey.doubleKey("baton.conversation.handler_time");

  /** Seconds since the conversation began. */
  public static final AttributeKey<Double> CONVERSATION_DURATION =
      AttributeKey.doubleKey("baton.conversation.duration");

  /** Why Baton refused a message (its handler did not run): {@code conversation_required}. */
  public static final AttributeKey<String> REFUSED = AttributeKey.stringKey("baton.refused");

  public static final AttributeKey<String> SENDER_AGENT_NAME =
      AttributeKey.stringKey("baton.sender.agent.name");
  public static final AttributeKey<String> SENDER_AGENT_ID =
      AttributeKey.stringKey("baton.sender.agent.id");

  /** The CPU time the handler's thread spent in the handler call, in seconds. */
  public static final AttributeKey<Double> HANDLER_CPU_TIME =
      AttributeKey.doubleKey("baton.handler.cpu_time");

  /** Why a hop of an unsampled trace was recorded anyway: {@code failure} or {@code slow}. */
  public static final AttributeKey<String> KEPT = AttributeKey.stringKey("baton.kept");

  /** The bytes the handler's thread allocated in the handler call. */
  public static final AttributeKey<Long> HANDLER_ALLOCATED_BYTES =
      AttributeKey.longKey("baton.handler.allocated_bytes");

  public static final AttributeKey<Long> DELIVERY_COUNT =
      AttributeKey.longKey("baton.message.delivery_count");
  public static final AttributeKey<Long> HOP = AttributeKey.longKey("baton.hop");
  public static final AttributeKey<String> CONTINUATION =
      AttributeKey.stringKey("baton.trace.continuation");

  private SemConv() {}

  /** Whether {@code value} may name an agent: 1 to 128 printable ASCII characters, no space. */
  public static boolean isIdentity(String value) {
    if (value.isEmpty() || value.length() > 128) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }
}
