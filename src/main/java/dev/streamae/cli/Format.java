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

    /** A fraction as a percentage to two decimals, {@code 0.40%}; "-" when undefined. */
    static String percent(double fraction) {
        return Double.isFinite(fraction) ? String.format(Locale.ROOT, "%.2f%%", 100 * fraction) : "-";
    }

    /** A value to {@code places} decimals; "-" when undefined. */
    static String decimals(double value, int places) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%." + places + "f", value) : "-";
    }

    /** JSON has no NaN: an undefined ratio is null. */
    static Double finiteOrNull(double value) {
        return Double.isFinite(value) ? value : null;
    }
}
