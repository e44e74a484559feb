package dev.baton.transport.nats;

import dev.baton.propagation.spi.LagClock;
import io.nats.client.ConsumerContext;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.MessageInfo;

/**
 * Measures a JetStream consumer's lag on the server: in messages (pending plus ack-pending, every
 * message the consumer has not acknowledged), and in seconds (the age of the message right after
 * the ack floor, which is the oldest unacknowledged one; estimated from the stream's history when
 * that message cannot be read).
 */
final class JetStreamLag {

  /** One measurement. */
  record Lag(long messages, long ackPending, double seconds) {}

  private final JetStreamManagement jsm;
  private final ConsumerContext consumer;
  private final String stream;
  private final String filterSubject;
  private final LagClock clock = new LagClock(64);

  JetStreamLag(
      JetStreamManagement jsm, ConsumerContext consumer, String stream, String filterSubject) {
    this.jsm = jsm;
    this.consumer = consumer;
    this.stream = stream;
    this.filterSubject = filterSubject;
  }

  Lag measure() throws Exception {
    long now = System.currentTimeMillis();
    ConsumerInfo info = consumer.getConsumerInfo();
    long lag = info.getNumPending() + info.getNumAckPending();
    long lastSequence = jsm.getStreamInfo(stream).getStreamState().getLastSequence();
    clock.recordEnd(lastSequence + 1, now);
    if (lag == 0) {
      return new Lag(0, 0, 0);
    }
    long oldest = info.getAckFloor().getStreamSequence() + 1;
    double seconds;
    try {
      MessageInfo message = jsm.getNextMessage(stream, oldest, filterSubject);
      seconds = LagClock.exactSeconds(message.getTime().toInstant().toEpochMilli(), now);
    } catch (Exception e) {
      seconds = clock.estimateSeconds(oldest, now);
    }
    return new Lag(lag, info.getNumAckPending(), seconds);
  }
}
