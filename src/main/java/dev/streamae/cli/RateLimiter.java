package dev.streamae.cli;

/** Paces a loop to a fixed number of events per second, in bursts of whatever is due. */
final class RateLimiter {

    private final long start = System.nanoTime();
    private final double perSecond;
    private long done;

    RateLimiter(double perSecond) {
        this.perSecond = perSecond;
    }

    /** Events due now that have not been taken yet; sleeps briefly when none are. */
    long take() throws InterruptedException {
        long due = (long) ((System.nanoTime() - start) / 1e9 * perSecond);
        if (due <= done) {
            Thread.sleep(1);
            return 0;
        }
        long n = due - done;
        done = due;
        return n;
    }
}
