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
 * Many models: each keeps its own figures, at most the cap of models is held (the idlest dropped and
 * counted, never the configured default), a page still showing a dropped model is told to start
 * again, the default shown is the configured model else the first seen, the overview's lines carry
 * each model's version, rates and drift phase, and an older snapshot never replaces a newer one.
 */
class DashboardStateTest {

    private static final DashboardLimits SMALL = new DashboardLimits(Duration.ofMillis(500), 20, 50, 3, 4, 2, 4, 100, 2, 3);
    private static final long NOW = 1_800_000_000_000L;
    private static final String MODEL = "streamae";

    private static ScoreRecord score(int i, long scoredAt, boolean anomaly) {
        return score(i, scoredAt, anomaly, ScoreRecord.Status.READY);
    }

    private static ScoreRecord score(int i, long scoredAt, boolean anomaly, ScoreRecord.Status status) {
        return score(MODEL, 7, i, scoredAt, anomaly, status);
    }

    private static ScoreRecord score(String model, long version, int i, long scoredAt, boolean anomaly,
                                     ScoreRecord.Status status) {
        return new ScoreRecord(model + "-img-" + i, model, version, null, null, new float[] {i, -i, 0.5f}, 0.01, "mse",
                anomaly ? 0.001 : 0.2, 0.02, anomaly, status, Label.of(i % 10), i % 6, (long) i, scoredAt - 5, scoredAt);
    }

    @Test
    void capsHoldAtThousandsOfScoresAndDeltasRebuildTheSnapshot() {
        DashboardState state = new DashboardState(SMALL, MODEL);
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
            DashboardState.Collected c = state.collect(MODEL, NOW + tick * 500L, cursor, false);
            cursor = c.next();
            assertThat(c.latent()).hasSizeLessThanOrEqualTo(SMALL.latentPoints());
            assertThat(c.alerts()).hasSizeLessThanOrEqualTo(SMALL.alerts());
            viaDeltas.addAll(c.latent());
        }
        assertThat(state.latentSize()).isEqualTo(SMALL.latentPoints());
        DashboardState.Collected full = state.collect(MODEL, NOW + 5000, cursor, true);
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
        DashboardState state = new DashboardState(SMALL, MODEL);
        state.addScore(score(1, NOW + 100, false));
        state.addScore(score(2, NOW + 900, true));
        state.addScore(score(3, NOW + 1500, false));
        DashboardState.Collected first = state.collect(MODEL, NOW + 1600, DashboardState.Cursor.START, false);
        assertThat(first.rates()).containsExactly(new Points.Rate(NOW / 1000, 2, 1, 2),
                new Points.Rate(NOW / 1000 + 1, 1, 0, 1));

        // A late score re-sends its bucket; seconds with nothing scored become zero once closed.
        state.addScore(score(4, NOW + 200, false));
        DashboardState.Collected second = state.collect(MODEL, NOW + 5000, first.next(), false);
        assertThat(second.rates()).containsExactly(new Points.Rate(NOW / 1000, 3, 1, 3),
                new Points.Rate(NOW / 1000 + 2, 0, 0, 0), new Points.Rate(NOW / 1000 + 3, 0, 0, 0));

        DashboardState.Collected hourLater = state.collect(MODEL, NOW + 3_600_000, second.next(), true);
        assertThat(hourLater.all().rates()).hasSize(SMALL.chartPoints());
    }

    @Test
    void onlyScoresOfAnAlertingModelCountAsJudged() {
        DashboardState state = new DashboardState(SMALL, MODEL);
        state.addScore(score(1, NOW + 100, false, ScoreRecord.Status.NO_MODEL));
        state.addScore(score(2, NOW + 200, false, ScoreRecord.Status.WARMING_UP));
        state.addScore(score(3, NOW + 300, false, ScoreRecord.Status.READY));
        state.addScore(score(4, NOW + 400, true, ScoreRecord.Status.READY));
        state.addScore(score(5, NOW + 1200, false, ScoreRecord.Status.WARMING_UP));
        DashboardState.Collected c = state.collect(MODEL, NOW + 1600, DashboardState.Cursor.START, false);
        // Second one: 4 scored, 1 anomaly among the 2 judged: the page shows 50 %, not 25 %.
        assertThat(c.rates()).containsExactly(new Points.Rate(NOW / 1000, 4, 1, 2),
                new Points.Rate(NOW / 1000 + 1, 1, 0, 0));
        assertThat(c.totals().scored()).isEqualTo(5);
        assertThat(c.totals().judged()).isEqualTo(2);
        assertThat(c.totals().anomalies()).isEqualTo(1);
    }

    @Test
    void modelEventsAreKeptUpToTheirCapAndDeltasRebuildTheSnapshot() {
        DashboardState state = new DashboardState(SMALL, MODEL);
        String[] kinds = {"DRIFT_SUSPECTED", "LEARNING_HELD", "DRIFT_CONFIRMED", "RECALIBRATED", "LEARNING_RESUMED",
            "DRIFT_DISMISSED"};
        List<Points.Event> viaDeltas = new ArrayList<>();
        DashboardState.Cursor cursor = DashboardState.Cursor.START;
        for (int i = 0; i < kinds.length; i++) {
            state.addEvent(MODEL, new ModelEvent("streamae", i, kinds[i], "hold", 100L * i, 90L * i, 100 + i, 100, 1000L * i,
                    NOW + i));
            if (i % 2 == 1) {
                DashboardState.Collected c = state.collect(MODEL, NOW + i, cursor, false);
                cursor = c.next();
                assertThat(c.events()).hasSize(2);
                viaDeltas.addAll(c.events());
            }
        }
        DashboardState.Collected full = state.collect(MODEL, NOW + 10, cursor, true);
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
        DashboardState state = new DashboardState(SMALL, MODEL);
        state.addTraining(MODEL, MessagesTest.metrics("adapt", "STABLE", 12, false, 0, 0, null));
        state.addTraining(MODEL, MessagesTest.metrics("adapt", "SUSPECTED", 104, false, 1, 3, 0.75));
        List<Points.Training> points = state.collect(MODEL, NOW, DashboardState.Cursor.START, false).training();
        assertThat(points).hasSize(2);
        assertThat(points.get(0).precision()).isNull();
        assertThat(points.get(1).driftPhase()).isEqualTo("SUSPECTED");
        assertThat(points.get(1).driftStatistic()).isEqualTo(104);
        assertThat(points.get(1).precision()).isEqualTo(0.75);
        assertThat(points.get(1).feedbackAnomaly() + points.get(1).feedbackNormal()).isEqualTo(4);
    }

    @Test
    void deadLettersKeepTheNewestReason() {
        DashboardState state = new DashboardState(SMALL, MODEL);
        state.addDeadLetter("not json", 1);
        state.addDeadLetter(null, 2);
        state.addDeadLetter("x".repeat(1000), 3);
        DashboardState.Totals t = state.collect(MODEL, NOW, DashboardState.Cursor.START, false).totals();
        assertThat(t.deadLetters()).isEqualTo(3);
        assertThat(t.lastDeadLetterReason()).hasSizeLessThan(310);
        assertThat(t.lastDeadLetterAt()).isEqualTo(3);
    }

    @Test
    void eachModelKeepsItsOwnFigures() {
        DashboardState state = new DashboardState(SMALL, MODEL);
        for (int i = 0; i < 6; i++) {
            state.addScore(score(MODEL, 7, i, NOW + 100, i == 0, ScoreRecord.Status.READY));
        }
        for (int i = 0; i < 4; i++) {
            state.addScore(score("cam-2", 3, i, NOW + 200, i < 2, ScoreRecord.Status.READY));
        }
        state.addAlert(score("cam-2", 3, 0, NOW + 200, true, ScoreRecord.Status.READY));
        state.addTraining("cam-2", MessagesTest.metrics("adapt", "SUSPECTED", 104, false, 0, 0, null));
        state.addEvent("cam-2", new ModelEvent("cam-2", 3, "DRIFT_SUSPECTED", "adapt", 10, 5, 104, 100, 900, NOW));
        state.addDeadLetter("not json", NOW);

        DashboardState.Collected mine = state.collect(MODEL, NOW + 1600, DashboardState.Cursor.START, true);
        DashboardState.Collected other = state.collect("cam-2", NOW + 1600, DashboardState.Cursor.START, true);
        assertThat(mine.totals().scored()).isEqualTo(6);
        assertThat(mine.totals().anomalies()).isEqualTo(1);
        assertThat(mine.totals().alerts()).isZero();
        assertThat(mine.all().latent()).hasSize(6).allSatisfy(p -> assertThat(p.version()).isEqualTo(7));
        assertThat(mine.all().training()).isEmpty();
        assertThat(mine.all().events()).isEmpty();
        assertThat(other.totals().scored()).isEqualTo(4);
        assertThat(other.totals().anomalies()).isEqualTo(2);
        assertThat(other.totals().alerts()).isEqualTo(1);
        assertThat(other.all().latent()).hasSize(4).allSatisfy(p -> assertThat(p.version()).isEqualTo(3));
        assertThat(other.all().rates()).containsExactly(new Points.Rate(NOW / 1000, 4, 2, 4));
        assertThat(other.all().training()).hasSize(1);
        assertThat(other.all().events()).extracting(Points.Event::type).containsExactly("DRIFT_SUSPECTED");
        assertThat(other.scoredIds()).containsExactly("cam-2-img-0", "cam-2-img-1", "cam-2-img-2", "cam-2-img-3");
        assertThat(List.of(mine.totals().deadLetters(), other.totals().deadLetters())).as("deployment-wide")
                .containsExactly(1L, 1L);
        assertThat(mine.totals().models()).isEqualTo(2);
    }

    @Test
    void atMostTheCapOfModelsIsHeldTheIdlestDroppedButNeverTheDefault() {
        DashboardState state = new DashboardState(SMALL, MODEL); // SMALL holds 3 models
        state.addScore(score(MODEL, 1, 0, NOW, false, ScoreRecord.Status.READY)); // the idlest of all
        state.addScore(score("cam-a", 1, 0, NOW + 1000, false, ScoreRecord.Status.READY));
        state.addScore(score("cam-b", 1, 0, NOW + 2000, false, ScoreRecord.Status.READY));
        state.addScore(score("cam-a", 1, 1, NOW + 3000, false, ScoreRecord.Status.READY)); // cam-b is now idler
        state.addScore(score("cam-c", 1, 0, NOW + 4000, false, ScoreRecord.Status.READY));
        assertThat(state.overview(NOW + 5000)).extracting(Messages.ModelRow::name)
                .containsExactly("cam-a", "cam-c", MODEL);
        for (int i = 0; i < 20; i++) {
            state.addScore(score("burst-" + i, 1, 0, NOW + 5000 + i, false, ScoreRecord.Status.READY));
        }
        assertThat(state.overview(NOW + 6000)).extracting(Messages.ModelRow::name)
                .containsExactly("burst-18", "burst-19", MODEL);
        DashboardState.Totals totals = state.collect(MODEL, NOW + 6000, DashboardState.Cursor.START, false).totals();
        assertThat(totals.models()).isEqualTo(SMALL.models());
        assertThat(totals.modelsDropped()).isEqualTo(1 + 2 + 18);
    }

    @Test
    void aPageShowingADroppedModelIsToldToStartAgain() {
        DashboardState state = new DashboardState(SMALL, MODEL);
        state.addScore(score("cam-a", 4, 0, NOW, true, ScoreRecord.Status.READY));
        DashboardState.Collected first = state.collect("cam-a", NOW, DashboardState.Cursor.START, true);
        assertThat(first.reset()).as("a model's first collection replaces the page's empty copy").isTrue();
        DashboardState.Collected quiet = state.collect("cam-a", NOW + 500, first.next(), false);
        assertThat(quiet.reset()).isFalse();
        assertThat(quiet.all()).isNull();
        assertThat(quiet.latent()).isEmpty();

        for (int i = 0; i < SMALL.models(); i++) {
            state.addScore(score("cam-" + i, 1, 0, NOW + 1000 + i, false, ScoreRecord.Status.READY));
        }
        DashboardState.Collected gone = state.collect("cam-a", NOW + 2000, quiet.next(), false);
        assertThat(gone.reset()).isTrue();
        assertThat(gone.all().latent()).isEmpty();
        assertThat(gone.totals().scored()).isZero();
        assertThat(state.collect("cam-a", NOW + 2500, gone.next(), false).reset()).isFalse();

        // Back under the same name: only what came since, as a fresh snapshot rather than a delta.
        state.addScore(score("cam-a", 9, 1, NOW + 3000, false, ScoreRecord.Status.READY));
        DashboardState.Collected back = state.collect("cam-a", NOW + 3000, gone.next(), false);
        assertThat(back.reset()).isTrue();
        assertThat(back.all().latent()).extracting(Points.Latent::version).containsExactly(9L);
        assertThat(back.totals().scored()).isEqualTo(1);
    }

    @Test
    void theModelShownByDefaultIsTheConfiguredOneElseTheFirstSeen() {
        DashboardState state = new DashboardState(SMALL, MODEL);
        assertThat(state.defaultShown()).as("nothing seen yet").isEqualTo(MODEL);
        state.addScore(score("cam-b", 1, 0, NOW, false, ScoreRecord.Status.READY));
        state.addScore(score("cam-a", 1, 0, NOW + 1, false, ScoreRecord.Status.READY));
        assertThat(state.defaultShown()).isEqualTo("cam-b");
        state.addTraining(MODEL, MessagesTest.metrics("adapt", "STABLE", 0, false, 0, 0, null));
        assertThat(state.defaultShown()).isEqualTo(MODEL);
        assertThat(state.has("cam-a")).isTrue();
        assertThat(state.has("cam-z")).isFalse();
    }

    @Test
    void overviewLinesCarryEachModelsVersionRatesAndDriftPhase() {
        DashboardState state = new DashboardState(SMALL, MODEL);
        // 20 images judged in the last ten closed seconds, 5 flagged; 30 images a minute earlier, none judged.
        for (int i = 0; i < 20; i++) {
            state.addScore(score("cam-2", 6, i, NOW - 5000 + 100 * i, i % 4 == 0, ScoreRecord.Status.READY));
        }
        for (int i = 0; i < 30; i++) {
            state.addScore(score("cam-2", 2, 100 + i, NOW - 50_000, false, ScoreRecord.Status.WARMING_UP));
        }
        state.addTraining("cam-2", MessagesTest.metrics("hold", "CONFIRMED", 260, true, 0, 0, null));
        state.addScore(score(MODEL, 3, 0, NOW - 100_000, false, ScoreRecord.Status.WARMING_UP));

        List<Messages.ModelRow> rows = state.overview(NOW);
        assertThat(rows).extracting(Messages.ModelRow::name).containsExactly("cam-2", MODEL);
        Messages.ModelRow cam = rows.get(0);
        assertThat(cam.version()).as("the newest reported: the training report's 8 over the scores' 6").isEqualTo(8);
        assertThat(cam.imagesPerSecond()).isEqualTo(2.0);
        assertThat(cam.alertRate()).isEqualTo(0.25);
        assertThat(cam.judged()).isEqualTo(20);
        assertThat(cam.driftPhase()).isEqualTo("CONFIRMED");
        Messages.ModelRow idle = rows.get(1);
        assertThat(idle.version()).isEqualTo(3);
        assertThat(idle.imagesPerSecond()).isZero();
        assertThat(idle.alertRate()).as("nothing judged in the last minute").isNull();
        assertThat(idle.driftPhase()).isNull();
        assertThat(idle.lastSeen()).isEqualTo(NOW - 100_000);
    }

    @Test
    void anOlderSnapshotNeverReplacesANewerOne() {
        DashboardState state = new DashboardState(SMALL, MODEL);
        assertThat(state.addSnapshot("cam-2", MessagesTest.snapshotOf("cam-2", 5))).isTrue();
        assertThat(state.addSnapshot("cam-2", MessagesTest.snapshotOf("cam-2", 4))).isFalse();
        assertThat(state.addSnapshot(MODEL, MessagesTest.snapshotOf(MODEL, 2))).isTrue();
        state.rejectSnapshot("cam-2");
        DashboardState.Collected c = state.collect("cam-2", NOW, DashboardState.Cursor.START, false);
        assertThat(c.snapshot().modelVersion()).isEqualTo(5);
        assertThat(c.rejectedSnapshots()).isEqualTo(2);
        assertThat(state.overview(NOW)).extracting(Messages.ModelRow::version).containsExactly(5L, 2L);
    }
}
