package dev.streamae.web;

import java.time.Duration;

/**
 * How much the dashboard keeps and how often it speaks. Every buffer is bounded so that memory,
 * message sizes and the browser's drawing work stay constant however fast images stream: at
 * thousands of images per second the page still gets one small message per tick and redraws at most
 * {@code latentPoints} points. The per-model buffers are held for at most {@code models} models.
 *
 * @param tick one server-sent event per client per tick, carrying everything new since the last
 * @param chartPoints points kept per time-series chart (training records; one-second rate buckets), per model
 * @param latentPoints latent codes kept for the 3-D scatter (the newest), per model
 * @param alerts latest alerts kept, each rendered once with its original and reconstruction, per model
 * @param events latest {@code model-events} kept (drift and policy events: a few a day, bursts at most), per model
 * @param gridImages images in the originals-over-reconstructions grid
 * @param gridEvery the grid is re-rendered every this many ticks (and whenever the model changes)
 * @param recentImages originals kept (raw records, decoded only when shown) to pair alerts with pixels
 * @param maxClients concurrent event streams; each holds one HTTP thread
 * @param models models whose figures are held; beyond it the one idle longest is dropped (never the
 *     configured default model). Each holds its newest snapshot's parameters (about 0.9 MB for the
 *     default architecture) and its buffers (about 0.2 MB at the default caps)
 */
record DashboardLimits(Duration tick, int chartPoints, int latentPoints, int alerts, int events, int gridImages,
                       int gridEvery, int recentImages, int maxClients, int models) {

    DashboardLimits {
        if (tick.toMillis() < 100) {
            throw new IllegalArgumentException("tick must be at least 100 ms, got " + tick.toMillis());
        }
        if (chartPoints < 10 || latentPoints < 10 || alerts < 1 || events < 1 || gridImages < 1 || gridEvery < 1
                || recentImages < gridImages || maxClients < 1 || models < 2) {
            throw new IllegalArgumentException("dashboard limits too small: " + this);
        }
    }

    /**
     * Two messages a second, 500 chart points, 2,000 latent points, 20 alerts, 50 model events, a grid
     * of 10, and 32 models (the trainer's own default {@code models.max}).
     */
    static DashboardLimits defaults() {
        return new DashboardLimits(Duration.ofMillis(500), 500, 2000, 20, 50, 10, 4, 10_000, 16, 32);
    }
}
