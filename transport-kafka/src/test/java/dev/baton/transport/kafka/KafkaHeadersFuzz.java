package dev.baton.transport.kafka;

import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Tag;

/**
 * The header property at scale: 1,000,000 generated header sets through the transport's own header
 * type. Tagged {@code fuzz}: not in the default build; run it with {@code testing/fuzz}.
 */
@Tag("fuzz")
class KafkaHeadersFuzz extends KafkaHeadersPropertyTest {

  @Override
  @Property(tries = 1_000_000)
  protected void extractionNeverThrowsAndYieldsAValidContextOrANewRoot(
      @ForAll("headerSets") Map<String, List<String>> headers) throws Exception {
    super.extractionNeverThrowsAndYieldsAValidContextOrANewRoot(headers);
  }
}
