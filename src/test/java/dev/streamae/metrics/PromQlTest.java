package dev.streamae.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The dashboard check is only as good as its reading of PromQL: every kind of name it must find, or skip. */
class PromQlTest {

    @Test
    void findsTheSeriesOfSelectorsFunctionsAndAggregations() {
        assertThat(PromQl.seriesNames("up")).containsExactly("up");
        assertThat(PromQl.seriesNames(
                "sum by (application, topic) (rate(streamae_scorer_images_scored_total{model=~\"$model\"}[$__rate_interval]))"))
                .containsExactly("streamae_scorer_images_scored_total");
        assertThat(PromQl.seriesNames("sum(rate(a_total[5m])) / sum without (task_id) (rate(b_total[5m])) > 0.5"))
                .containsExactly("a_total", "b_total");
        assertThat(PromQl.seriesNames("max(x) / on (instance) group_left (model) y or vector(0)"))
                .containsExactly("x", "y");
        assertThat(PromQl.seriesNames("histogram_quantile(0.99, sum by (le) (rate(lat_bucket[1m]))) offset 5m"))
                .containsExactly("lat_bucket");
        assertThat(PromQl.seriesNames("time() - max(streamae_scorer_model_age_ms{instance=\"a:1\"}) / 1e3"))
                .containsExactly("streamae_scorer_model_age_ms");
        assertThat(PromQl.seriesNames("jvm_memory_used_bytes{area=\"heap\"} and ignoring(id) jvm_memory_max_bytes"))
                .containsExactly("jvm_memory_max_bytes", "jvm_memory_used_bytes");
    }

    @Test
    void readsOnlyTheSeriesOfALabelValuesVariable() {
        assertThat(PromQl.seriesNames("label_values(jvm_memory_used_bytes{application=~\"streamae-.*\"}, model)"))
                .containsExactly("jvm_memory_used_bytes");
        assertThat(PromQl.seriesNames("label_values(model)")).isEmpty();
    }
}
