package dev.streamae.web;

import java.time.Duration;

/**
 * How much the dashboard keeps and how often it speaks. Every buffer is bounded so that memory,
 * message sizes and the browser's drawing work stay constant however fast images stream: at
 * thousands of images per second the page still gets one small message per tick and redraws at most
 * {@code latentPoints} points.
 *
 * @param tick one server-sent event per client per tick, carrying everything new since the last
 * @param chartPoints points kept per time-series chart (training records; one-second rate buckets)
 * @param latentPoints latent codes kept for the 3-D scatter (the newest)
 * @param alerts latest alerts kept, each rendered once with its original and reconstruction
 * @param events latest {@code model-events} kept (drift and policy events: a few a day, bursts at most)
 * @param gridImages images in the originals-over-reconstructions grid
 * @param gridEvery the grid is re-rendered every this many ticks (and whenever the model changes)
 * @param recentImages originals kept (raw records, decoded only when shown) to pair alerts with pixels
 * @param maxClients concurrent event streams; each holds one HTTP thread
 */
record DashboardLimits(Duration tick, int chartPoints, int latentPoints, int alerts, int events, int gridImages,
                       int gridEvery, int recentImages, int maxClients) {

    DashboardLimits {
        if (tick.toMillis() < 100) {
            throw new IllegalArgumentException("tick must be at least 100 ms, got " + tick.toMillis());
        }
        if (chartPoints < 10 || latentPoints < 10 || alerts < 1 || events < 1 || gridImages < 1 || gridEvery < 1
                || recentImages < gridImages || maxClients < 1) {
            throw new IllegalArgumentException("dashboard limits too small: " + this);
        }
    }

    /** Two messages a second, 500 chart points, 2,000 latent points, 20 alerts, 50 model events, a grid of 10. */
    static DashboardLimits defaults() {
        return new DashboardLimits(Duration.ofMillis(500), 500, 2000, 20, 50, 10, 4, 10_000, 16);
    }
}
