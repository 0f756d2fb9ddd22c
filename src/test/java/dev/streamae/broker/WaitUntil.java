package dev.streamae.broker;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** A tiny stand-in for Awaitility (not a dependency): poll a condition until it holds or time runs out. */
public final class WaitUntil {

    private WaitUntil() {
    }

    /** Polls every 50 ms; fails with {@code what} in the message if the condition never holds. */
    public static void waitUntil(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }

    /** Sleeps, keeping the interrupt flag if interrupted. */
    public static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
