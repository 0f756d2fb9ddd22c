package dev.streamae.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GrafanaQueryTest {

    @Test
    void rateIntervalIsFourScrapesUnlessTheIntervalIsLonger() {
        Map<String, String> halfHour = GrafanaQuery.builtIns(Duration.ofMinutes(30), Duration.ofSeconds(10));
        assertThat(halfHour).containsEntry("__interval", "10s").containsEntry("__rate_interval", "40s")
                .containsEntry("__range", "1800s");
        // A week over 1,000 points: 604 s a point, plus one scrape.
        Map<String, String> week = GrafanaQuery.builtIns(Duration.ofDays(7), Duration.ofSeconds(10));
        assertThat(week).containsEntry("__interval", "604s").containsEntry("__rate_interval", "614s");
    }

    @Test
    void everyVariableSyntaxIsReplacedAndAnUnknownOneFails() {
        Map<String, String> values = Map.of("model", "streamae", "__rate_interval", "40s");
        assertThat(GrafanaQuery.interpolate("rate(x{model=~\"$model\"}[$__rate_interval]) + y{m=\"${model:regex}\"}"
                + " + z{m=\"[[model]]\"}", values))
                .isEqualTo("rate(x{model=~\"streamae\"}[40s]) + y{m=\"streamae\"} + z{m=\"streamae\"}");
        assertThatThrownBy(() -> GrafanaQuery.interpolate("x[$__range]", values)).hasMessageContaining("$__range");
    }
}
