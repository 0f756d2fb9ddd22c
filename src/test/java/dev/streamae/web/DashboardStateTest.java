package dev.streamae.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.streams.Label;
import dev.streamae.streams.ModelEvent;
import dev.streamae.streams.ScoreRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's bounded aggregates: caps hold at any rate, deltas and snapshots agree, idle seconds
 * are zero, the scorer's alert rate counts only images an alerting model judged, model events are
 * bounded like the rest, and training points carry the drift state and the operators' precision.
 */
class DashboardStateTest {

    private static final DashboardLimits SMALL = new DashboardLimits(Duration.ofMillis(500), 20, 50, 3, 4, 2, 4, 100, 2);
    private static final long NOW = 1_800_000_000_000L;

    private static ScoreRecord score(int i, long scoredAt, boolean anomaly) {
        return score(i, scoredAt, anomaly, ScoreRecord.Status.READY);
    }

    private static ScoreRecord score(int i, long scoredAt, boolean anomaly, ScoreRecord.Status status) {
        return new ScoreRecord("img-" + i, "streamae", 7, null, null, new float[] {i, -i, 0.5f}, 0.01, "mse",
                anomaly ? 0.001 : 0.2, 0.02, anomaly, status, Label.of(i % 10), i % 6, (long) i, scoredAt - 5, scoredAt);
    }

    @Test
    void capsHoldAtThousandsOfScoresAndDeltasRebuildTheSnapshot() {
        DashboardState state = new DashboardState(SMALL);
        List<Points.Latent> viaDeltas = new ArrayList<>();
        DashboardState.Cursor cursor = DashboardState.Cursor.START;
        for (int tick = 0; tick < 10; tick++) {
            for (int i = 0; i < 1000; i++) {
                int n = tick * 1000 + i;
                state.addScore(score(n, NOW + tick * 500L, n % 100 == 0));
                if (n % 100 == 0) {
                    state.addAlert(score(n, NOW, true));
                }
            }
            DashboardState.Collected c = state.collect(NOW + tick * 500L, cursor, false);
            cursor = c.next();
            assertThat(c.latent()).hasSizeLessThanOrEqualTo(SMALL.latentPoints());
            assertThat(c.alerts()).hasSizeLessThanOrEqualTo(SMALL.alerts());
            viaDeltas.addAll(c.latent());
        }
        assertThat(state.latentSize()).isEqualTo(SMALL.latentPoints());
        DashboardState.Collected full = state.collect(NOW + 5000, cursor, true);
        List<Points.Latent> tail = viaDeltas.subList(viaDeltas.size() - SMALL.latentPoints(), viaDeltas.size());
        assertThat(full.all().latent()).isEqualTo(tail);
        assertThat(full.latent()).isEmpty();
        assertThat(full.totals().scored()).isEqualTo(10_000);
        assertThat(full.totals().anomalies()).isEqualTo(100);
        assertThat(full.totals().alerts()).isEqualTo(100);
        assertThat(full.all().latent().get(0).version()).isEqualTo(7);
    }

    @Test
    void scoresCountInTheSecondTheyWereScoredAndIdleSecondsAreZero() {
        DashboardState state = new DashboardState(SMALL);
        state.addScore(score(1, NOW + 100, false));
        state.addScore(score(2, NOW + 900, true));
        state.addScore(score(3, NOW + 1500, false));
        DashboardState.Collected first = state.collect(NOW + 1600, DashboardState.Cursor.START, false);
        assertThat(first.rates()).containsExactly(new Points.Rate(NOW / 1000, 2, 1, 2),
                new Points.Rate(NOW / 1000 + 1, 1, 0, 1));

        // A late score re-sends its bucket; seconds with nothing scored become zero once closed.
        state.addScore(score(4, NOW + 200, false));
        DashboardState.Collected second = state.collect(NOW + 5000, first.next(), false);
        assertThat(second.rates()).containsExactly(new Points.Rate(NOW / 1000, 3, 1, 3),
                new Points.Rate(NOW / 1000 + 2, 0, 0, 0), new Points.Rate(NOW / 1000 + 3, 0, 0, 0));

        DashboardState.Collected hourLater = state.collect(NOW + 3_600_000, second.next(), true);
        assertThat(hourLater.all().rates()).hasSize(SMALL.chartPoints());
    }

    @Test
    void onlyScoresOfAnAlertingModelCountAsJudged() {
        DashboardState state = new DashboardState(SMALL);
        state.addScore(score(1, NOW + 100, false, ScoreRecord.Status.NO_MODEL));
        state.addScore(score(2, NOW + 200, false, ScoreRecord.Status.WARMING_UP));
        state.addScore(score(3, NOW + 300, false, ScoreRecord.Status.READY));
        state.addScore(score(4, NOW + 400, true, ScoreRecord.Status.READY));
        state.addScore(score(5, NOW + 1200, false, ScoreRecord.Status.WARMING_UP));
        DashboardState.Collected c = state.collect(NOW + 1600, DashboardState.Cursor.START, false);
        // Second one: 4 scored, 1 anomaly among the 2 judged: the page shows 50 %, not 25 %.
        assertThat(c.rates()).containsExactly(new Points.Rate(NOW / 1000, 4, 1, 2),
                new Points.Rate(NOW / 1000 + 1, 1, 0, 0));
        assertThat(c.totals().scored()).isEqualTo(5);
        assertThat(c.totals().judged()).isEqualTo(2);
        assertThat(c.totals().anomalies()).isEqualTo(1);
    }

    @Test
    void modelEventsAreKeptUpToTheirCapAndDeltasRebuildTheSnapshot() {
        DashboardState state = new DashboardState(SMALL);
        String[] kinds = {"DRIFT_SUSPECTED", "LEARNING_HELD", "DRIFT_CONFIRMED", "RECALIBRATED", "LEARNING_RESUMED",
            "DRIFT_DISMISSED"};
        List<Points.Event> viaDeltas = new ArrayList<>();
        DashboardState.Cursor cursor = DashboardState.Cursor.START;
        for (int i = 0; i < kinds.length; i++) {
            state.addEvent(new ModelEvent("streamae", i, kinds[i], "hold", 100L * i, 90L * i, 100 + i, 100, 1000L * i,
                    NOW + i));
            if (i % 2 == 1) {
                DashboardState.Collected c = state.collect(NOW + i, cursor, false);
                cursor = c.next();
                assertThat(c.events()).hasSize(2);
                viaDeltas.addAll(c.events());
            }
        }
        DashboardState.Collected full = state.collect(NOW + 10, cursor, true);
        assertThat(full.events()).as("nothing new since the last delta").isEmpty();
        assertThat(full.all().events()).as("the newest, up to the cap").hasSize(SMALL.events())
                .isEqualTo(viaDeltas.subList(viaDeltas.size() - SMALL.events(), viaDeltas.size()))
                .extracting(Points.Event::type)
                .containsExactly("DRIFT_CONFIRMED", "RECALIBRATED", "LEARNING_RESUMED", "DRIFT_DISMISSED");
        assertThat(full.all().events().get(3).t()).isEqualTo(NOW + 5);
        assertThat(full.all().events().get(3).statistic()).isEqualTo(105);
    }

    @Test
    void trainingPointsKeepTheNewestDriftStateAndPrecision() {
        DashboardState state = new DashboardState(SMALL);
        state.addTraining(MessagesTest.metrics("adapt", "STABLE", 12, false, 0, 0, null));
        state.addTraining(MessagesTest.metrics("adapt", "SUSPECTED", 104, false, 1, 3, 0.75));
        List<Points.Training> points = state.collect(NOW, DashboardState.Cursor.START, false).training();
        assertThat(points).hasSize(2);
        assertThat(points.get(0).precision()).isNull();
        assertThat(points.get(1).driftPhase()).isEqualTo("SUSPECTED");
        assertThat(points.get(1).driftStatistic()).isEqualTo(104);
        assertThat(points.get(1).precision()).isEqualTo(0.75);
        assertThat(points.get(1).feedbackAnomaly() + points.get(1).feedbackNormal()).isEqualTo(4);
    }

    @Test
    void deadLettersKeepTheNewestReason() {
        DashboardState state = new DashboardState(SMALL);
        state.addDeadLetter("not json", 1);
        state.addDeadLetter(null, 2);
        state.addDeadLetter("x".repeat(1000), 3);
        DashboardState.Totals t = state.collect(NOW, DashboardState.Cursor.START, false).totals();
        assertThat(t.deadLetters()).isEqualTo(3);
        assertThat(t.lastDeadLetterReason()).hasSizeLessThan(310);
        assertThat(t.lastDeadLetterAt()).isEqualTo(3);
    }
}
