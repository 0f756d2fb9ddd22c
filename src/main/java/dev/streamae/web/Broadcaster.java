package dev.streamae.web;

import dev.streamae.model.Scores;
import dev.streamae.streams.ModelFactory;
import dev.streamae.streams.ScoreRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Once per tick: for each model some page shows, collects what is new from {@link DashboardState},
 * renders its new alerts and (every few ticks or when its model changed) its reconstruction grid
 * with its newest snapshot, and sends one event to each of its pages: a delta to pages already up
 * to date, a full snapshot to pages that connected (or switched model) since the last tick, or to
 * all of them when their copy no longer fits. Every event carries the overview of all models. Runs
 * on a single scheduled thread with a fixed delay between ticks, so no page ever gets more than one
 * event per tick, however busy the topics are, and the network is only ever used from this thread.
 *
 * <p>Work is per model shown, not per model held: a model nobody looks at costs only its share of
 * the overview, and its rendering state ({@link View}: reconstructor, rendered alerts, grid) is
 * dropped when its last page closes.
 */
final class Broadcaster implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(Broadcaster.class);
    /** An alert can be read before the image it refers to: wait this many ticks for the original. */
    static final int ORIGINAL_WAIT_TICKS = 10;

    private final DashboardState state;
    private final RecentImages images;
    private final ModelFactory factory;
    private final EventStreams streams;
    private final DashboardLimits limits;
    private final double falseAlarmRate;
    private final int width;
    private final int height;
    private final Map<String, View> views = new HashMap<>();
    private long ticks;
    private long lastFailureLog;

    private static final class Waiting {
        final ScoreRecord alert;
        int ticks;

        Waiting(ScoreRecord alert) {
            this.alert = alert;
        }
    }

    /** What the broadcaster keeps for one model shown. */
    private final class View {
        final Reconstructor reconstructor = new Reconstructor(factory);
        final ArrayDeque<Messages.Alert> rendered = new ArrayDeque<>();
        final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
        DashboardState.Cursor cursor = DashboardState.Cursor.START;
        Messages.Grid grid;
    }

    /** The pages of one model this tick: those up to date, and those to be sent a snapshot. */
    private record Pages(List<EventStreams.Client> current, List<EventStreams.Client> fresh) {
        Pages() {
            this(new ArrayList<>(), new ArrayList<>());
        }
    }

    Broadcaster(DashboardState state, RecentImages images, ModelFactory factory, EventStreams streams,
                DashboardLimits limits, double falseAlarmRate, int width, int height) {
        this.state = state;
        this.images = images;
        this.factory = factory;
        this.streams = streams;
        this.limits = limits;
        this.falseAlarmRate = falseAlarmRate;
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
        Map<String, Pages> byModel = new LinkedHashMap<>();
        for (EventStreams.Client c : streams.active()) {
            String shown = shownFor(c);
            Pages pages = byModel.computeIfAbsent(shown, k -> new Pages());
            (shown.equals(c.shown) ? pages.current() : pages.fresh()).add(c);
            c.shown = shown;
        }
        for (EventStreams.Client c : joining) {
            c.shown = shownFor(c);
            byModel.computeIfAbsent(c.shown, k -> new Pages()).fresh().add(c);
        }
        views.keySet().retainAll(byModel.keySet());
        ticks++;
        if (byModel.isEmpty()) {
            return;
        }
        List<Messages.ModelRow> overview = state.overview(now);
        byModel.forEach((model, pages) -> send(model, pages, overview, now));
    }

    /** The page's choice; else the model it was shown while that is held; else the dashboard's default. */
    private String shownFor(EventStreams.Client c) {
        if (c.requested != null) {
            return c.requested;
        }
        return c.shown != null && state.has(c.shown) ? c.shown : state.defaultShown();
    }

    private void send(String model, Pages pages, List<Messages.ModelRow> overview, long now) {
        View view = views.computeIfAbsent(model, k -> new View());
        DashboardState.Collected c = state.collect(model, now, view.cursor, !pages.fresh().isEmpty());
        List<EventStreams.Client> fresh = pages.fresh();
        if (c.reset()) {
            view = new View();
            views.put(model, view);
            fresh = new ArrayList<>(pages.fresh());
            fresh.addAll(pages.current());
        }
        view.cursor = c.next();
        boolean modelChanged = view.reconstructor.update(c.snapshot());
        // After a reset the kept alerts are old: draw them at once with whatever original is still here.
        List<Messages.Alert> newAlerts = renderAlerts(view, c.alerts(), c.reset());
        Messages.Grid newGrid = null;
        if (view.grid == null || modelChanged || ticks % limits.gridEvery() == 0) {
            newGrid = renderGrid(view, c.scoredIds(), now);
            if (newGrid != null) {
                view.grid = newGrid;
            }
        }
        Messages.Model shownModel = Messages.Model.of(c.snapshot(), falseAlarmRate, now, c.rejectedSnapshots());
        if (!c.reset()) {
            streams.send(pages.current(), new Messages.Update("delta", now, model, null, shownModel, c.totals(),
                    orNull(c.training()), orNull(c.rates()), orNull(c.latent()), orNull(newAlerts), orNull(c.events()),
                    newGrid, null, overview));
        }
        if (!fresh.isEmpty()) {
            DashboardState.All all = c.all();
            streams.admit(fresh, new Messages.Update("snapshot", now, model, Messages.Limits.of(limits), shownModel,
                    c.totals(), all.training(), all.rates(), all.latent(), List.copyOf(view.rendered), all.events(),
                    view.grid, Messages.DriftLevels.DETECTOR, overview));
        }
    }

    /** Deltas leave out what did not change. */
    private static <T> List<T> orNull(List<T> list) {
        return list.isEmpty() ? null : list;
    }

    /**
     * New alerts join the waiting line; those whose original arrived (or that waited long enough, or
     * all when {@code now}) are drawn.
     */
    private List<Messages.Alert> renderAlerts(View view, List<ScoreRecord> fresh, boolean now) {
        fresh.forEach(a -> view.waiting.addLast(new Waiting(a)));
        while (view.waiting.size() > limits.alerts()) {
            view.waiting.removeFirst(); // only the newest are ever shown
        }
        List<ScoreRecord> ready = new ArrayList<>();
        List<float[]> pixels = new ArrayList<>();
        for (Iterator<Waiting> it = view.waiting.iterator(); it.hasNext(); ) {
            Waiting w = it.next();
            float[] original = images.pixels(w.alert.id());
            if (original != null || now || ++w.ticks >= ORIGINAL_WAIT_TICKS) {
                it.remove();
                ready.add(w.alert);
                pixels.add(original);
            }
        }
        if (ready.isEmpty()) {
            return List.of();
        }
        Reconstructor reconstructor = view.reconstructor;
        float[][] reconstructions = reconstructAll(reconstructor, pixels);
        List<Messages.Alert> out = new ArrayList<>(ready.size());
        for (int i = 0; i < ready.size(); i++) {
            ScoreRecord a = ready.get(i);
            float[] original = pixels.get(i);
            float[] reconstruction = reconstructions[i];
            Messages.Alert alert = new Messages.Alert(a.id(), Messages.labelText(a.label()), Points.finite(a.error()),
                    Points.finite(a.pValue()), Points.finite(a.threshold()), a.metric(),
                    a.modelVersion(), reconstruction == null ? -1 : reconstructor.version(), a.scoredAt(),
                    original == null ? null : ImageUris.png(original, width, height),
                    reconstruction == null ? null : ImageUris.png(reconstruction, width, height));
            out.add(alert);
            view.rendered.addLast(alert);
            if (view.rendered.size() > limits.alerts()) {
                view.rendered.removeFirst();
            }
        }
        return out;
    }

    /** Reconstructions of the non-null images in one forward pass; null where there is no image or no model. */
    private static float[][] reconstructAll(Reconstructor reconstructor, List<float[]> pixels) {
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

    /** The images the model scored last, over their reconstructions by its newest snapshot. */
    private Messages.Grid renderGrid(View view, List<String> scoredIds, long now) {
        List<RecentImages.Decoded> recent = images.newest(scoredIds, limits.gridImages());
        if (recent.isEmpty()) {
            return null;
        }
        Reconstructor reconstructor = view.reconstructor;
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
