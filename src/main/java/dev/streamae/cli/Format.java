package dev.streamae.cli;

import java.util.Locale;

/** Number formats shared by the commands' tables and progress lines. */
final class Format {

    private Format() {
    }

    /** A count or a rate, rounded, with thousands separators: {@code 9,412}. */
    static String count(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%,d", Math.round(value)) : "-";
    }

    /** A ratio in [0, 1] to four decimals; "-" when undefined (NaN). */
    static String ratio(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.4f", value);
    }
}
