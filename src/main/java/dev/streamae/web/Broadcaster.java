package dev.streamae.web;

import dev.streamae.model.Scores;
import dev.streamae.streams.ModelRegistry;
import dev.streamae.streams.ScoreRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Once per tick: collects what is new from {@link DashboardState}, renders new alerts and (every few
 * ticks or when the model changed) the reconstruction grid with the newest model, and sends one
 * event to every open page: a delta to pages already up to date, a full snapshot to pages that
 * connected since the last tick. Runs on a single scheduled thread with a fixed delay between
 * ticks, so no page ever gets more than one event per tick, however busy the topics are, and the
 * network is only ever used from this thread.
 */
final class Broadcaster implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(Broadcaster.class);
    /** An alert can be read before the image it refers to: wait this many ticks for the original. */
    static final int ORIGINAL_WAIT_TICKS = 10;

    private final DashboardState state;
    private final RecentImages images;
    private final ModelRegistry models;
    private final Reconstructor reconstructor;
    private final EventStreams streams;
    private final DashboardLimits limits;
    private final String modelName;
    private final int width;
    private final int height;

    private DashboardState.Cursor cursor = DashboardState.Cursor.START;
    private final ArrayDeque<Messages.Alert> rendered = new ArrayDeque<>();
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private Messages.Grid grid;
    private long ticks;
    private long lastFailureLog;

    private static final class Waiting {
        final ScoreRecord alert;
        int ticks;

        Waiting(ScoreRecord alert) {
            this.alert = alert;
        }
    }

    Broadcaster(DashboardState state, RecentImages images, ModelRegistry models, Reconstructor reconstructor,
                EventStreams streams, DashboardLimits limits, String modelName, int width, int height) {
        this.state = state;
        this.images = images;
        this.models = models;
        this.reconstructor = reconstructor;
        this.streams = streams;
        this.limits = limits;
        this.modelName = modelName;
        this.width = width;
        this.height = height;
    }

    @Override
    public void run() {
        try {
            tick(System.currentTimeMillis());
        } catch (RuntimeException | Error e) {
            // A scheduled task that throws is never run again: log (at most every 30 s) and go on.
            long now = System.currentTimeMillis();
            if (now - lastFailureLog > 30_000) {
                lastFailureLog = now;
                LOG.warn("dashboard update failed; retrying every tick", e);
            }
        }
    }

    void tick(long now) {
        List<EventStreams.Client> joining = streams.takeJoining();
        DashboardState.Collected c = state.collect(now, cursor, !joining.isEmpty());
        cursor = c.next();
        boolean modelChanged = reconstructor.update(models.current());
        List<Messages.Alert> newAlerts = renderAlerts(c.alerts());
        Messages.Grid newGrid = null;
        if (grid == null || modelChanged || ticks % limits.gridEvery() == 0) {
            newGrid = renderGrid(now);
            if (newGrid != null) {
                grid = newGrid;
            }
        }
        ticks++;
        if (!streams.hasPages() && joining.isEmpty()) {
            return;
        }
        Messages.Model model = Messages.Model.of(models.current(), models.falseAlarmRate(), now, models.rejectedSnapshots());
        streams.broadcast(new Messages.Update("delta", now, modelName, null, model, c.totals(), orNull(c.training()),
                orNull(c.rates()), orNull(c.latent()), orNull(newAlerts), orNull(c.events()), newGrid, null));
        if (!joining.isEmpty()) {
            DashboardState.All all = c.all();
            streams.admit(joining, new Messages.Update("snapshot", now, modelName, Messages.Limits.of(limits), model,
                    c.totals(), all.training(), all.rates(), all.latent(), List.copyOf(rendered), all.events(), grid,
                    Messages.DriftLevels.DETECTOR));
        }
    }

    /** Deltas leave out what did not change. */
    private static <T> List<T> orNull(List<T> list) {
        return list.isEmpty() ? null : list;
    }

    /** New alerts join the waiting line; those whose original arrived (or that waited long enough) are drawn. */
    private List<Messages.Alert> renderAlerts(List<ScoreRecord> fresh) {
        fresh.forEach(a -> waiting.addLast(new Waiting(a)));
        while (waiting.size() > limits.alerts()) {
            waiting.removeFirst(); // only the newest are ever shown
        }
        List<ScoreRecord> ready = new ArrayList<>();
        List<float[]> pixels = new ArrayList<>();
        for (Iterator<Waiting> it = waiting.iterator(); it.hasNext(); ) {
            Waiting w = it.next();
            float[] original = images.pixels(w.alert.id());
            if (original != null || ++w.ticks >= ORIGINAL_WAIT_TICKS) {
                it.remove();
                ready.add(w.alert);
                pixels.add(original);
            }
        }
        if (ready.isEmpty()) {
            return List.of();
        }
        float[][] reconstructions = reconstructAll(pixels);
        List<Messages.Alert> out = new ArrayList<>(ready.size());
        for (int i = 0; i < ready.size(); i++) {
            ScoreRecord a = ready.get(i);
            float[] original = pixels.get(i);
            float[] reconstruction = reconstructions[i];
            Messages.Alert view = new Messages.Alert(a.id(), Messages.labelText(a.label()), Points.finite(a.error()),
                    Points.finite(a.pValue()), Points.finite(a.threshold()), a.metric(),
                    a.modelVersion(), reconstruction == null ? -1 : reconstructor.version(), a.scoredAt(),
                    original == null ? null : ImageUris.png(original, width, height),
                    reconstruction == null ? null : ImageUris.png(reconstruction, width, height));
            out.add(view);
            rendered.addLast(view);
            if (rendered.size() > limits.alerts()) {
                rendered.removeFirst();
            }
        }
        return out;
    }

    /** Reconstructions of the non-null images in one forward pass; null where there is no image or no model. */
    private float[][] reconstructAll(List<float[]> pixels) {
        float[][] out = new float[pixels.size()][];
        if (!reconstructor.ready()) {
            return out;
        }
        List<float[]> present = new ArrayList<>();
        pixels.forEach(p -> {
            if (p != null) {
                present.add(p);
            }
        });
        if (present.isEmpty()) {
            return out;
        }
        float[][] r = reconstructor.reconstruct(present).reconstructions();
        for (int i = 0, j = 0; i < out.length; i++) {
            if (pixels.get(i) != null) {
                out[i] = r[j++];
            }
        }
        return out;
    }

    private Messages.Grid renderGrid(long now) {
        List<RecentImages.Decoded> recent = images.newest(limits.gridImages());
        if (recent.isEmpty()) {
            return null;
        }
        Scores scores = reconstructor.ready()
                ? reconstructor.reconstruct(recent.stream().map(RecentImages.Decoded::pixels).toList()) : null;
        List<Messages.Cell> cells = new ArrayList<>(recent.size());
        for (int i = 0; i < recent.size(); i++) {
            RecentImages.Decoded d = recent.get(i);
            cells.add(new Messages.Cell(d.id(), Messages.labelText(d.label()), scores == null ? null : Points.finite(scores.errors()[i]),
                    ImageUris.png(d.pixels(), width, height),
                    scores == null ? null : ImageUris.png(scores.reconstructions()[i], width, height)));
        }
        return new Messages.Grid(reconstructor.version(), now, cells);
    }
}
