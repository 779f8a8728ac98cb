package dev.alphaflow.jobs.view;

import java.util.Collection;

/** The little JSON the view writes; its values are numbers and short strings, so no library is needed. */
final class Json {
    private Json() {}

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** Column {@code column} of the rows; NaN (no data) as null. */
    static String array(Collection<double[]> rows, int column) {
        StringBuilder b = new StringBuilder("[");
        for (double[] row : rows) {
            if (b.length() > 1) {
                b.append(',');
            }
            double v = row[column];
            b.append(Double.isNaN(v) ? "null" : Long.toString(Math.round(v)));
        }
        return b.append(']').toString();
    }
}
