package dev.streamae.metrics;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The series names a PromQL expression (or a Grafana {@code label_values(...)} variable query)
 * selects: every identifier that is not a function or aggregation (followed by {@code (}), a
 * keyword, a label inside {@code {...}} or a grouping clause ({@code by (...)}, {@code on (...)},
 * ...), a string, a duration or a Grafana variable.
 */
public final class PromQl {

    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\((?:(.*),)?\\s*[A-Za-z_]\\w*\\s*\\)\\s*$",
            Pattern.DOTALL);
    private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![A-Za-z0-9_:.$])[A-Za-z_:][A-Za-z0-9_:]*");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on",
            "ignoring", "group_left", "group_right", "inf", "nan", "start", "end");

    private PromQl() {
    }

    public static Set<String> seriesNames(String expression) {
        Matcher labelValues = LABEL_VALUES.matcher(expression);
        String expr = expression;
        if (labelValues.matches()) {
            if (labelValues.group(1) == null) {
                return Set.of();
            }
            expr = labelValues.group(1);
        }
        expr = STRINGS.matcher(expr).replaceAll(" ");
        expr = expr.replaceAll("\\{[^}]*}", " ").replaceAll("\\[[^]]*]", " ").replaceAll("\\$\\{?\\w+}?", " ");
        expr = GROUPING.matcher(expr).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(expr);
        while (m.find()) {
            String rest = expr.substring(m.end()).stripLeading();
            if (!rest.startsWith("(") && !KEYWORDS.contains(m.group().toLowerCase(java.util.Locale.ROOT))) {
                names.add(m.group());
            }
        }
        return names;
    }
}
