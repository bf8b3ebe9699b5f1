package dev.keepalive.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A grouped bar chart written as plain SVG: one group of bars per scenario, one bar (colour) per
 * contender, a value on top of each bar, a y axis with rounded ticks, and a legend. A series far above
 * the others is cut at the top of the axis (marked with two white strokes) so that the others stay readable.
 */
public final class SvgBarChart {

    private static final String[] COLOURS = { "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02",
            "#a6761d", "#666666", "#1f78b4", "#b2df8a", "#fb9a99" };

    private static final int LEFT = 70;
    private static final int TOP = 50;
    private static final int PLOT_HEIGHT = 320;
    private static final int BAR = 18;
    private static final int GROUP_GAP = 30;
    private static final int LEGEND_ROW = 18;

    private final String title;
    private final String unit;

    /**
     * @param title the heading
     * @param unit the y axis label
     */
    public SvgBarChart(String title, String unit) {
        this.title = title;
        this.unit = unit;
    }

    /**
     * Writes the chart.
     *
     * @param file where to write
     * @param groups the group labels (scenarios), left to right
     * @param series the bar labels (contenders), in legend order
     * @param values {@code values[series][group]}; {@code NaN} draws no bar
     */
    public void write(Path file, List<String> groups, List<String> series, double[][] values) throws IOException {
        double top = axisTop(values);
        int groupWidth = series.size() * BAR + GROUP_GAP;
        int plotWidth = Math.max(Math.max(300, groups.size() * groupWidth), this.title.length() * 10 - LEFT + 40);
        int width = LEFT + plotWidth + 20;
        int axisBottom = TOP + PLOT_HEIGHT;
        int height = axisBottom + 40 + series.size() * LEGEND_ROW + 10;

        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"sans-serif\" font-size=\"11\">%n", width, height, width, height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s</text>%n",
                LEFT, escape(this.title)));
        svg.append(String.format(Locale.ROOT,
                "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">%s</text>%n",
                TOP + PLOT_HEIGHT / 2, TOP + PLOT_HEIGHT / 2, escape(this.unit)));
        for (int t = 0; t <= 5; t++) {
            double value = top * t / 5;
            int y = axisBottom - (int) Math.round(PLOT_HEIGHT * t / 5.0);
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#dddddd\"/>%n", LEFT, y, LEFT + plotWidth, y));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n", LEFT - 6,
                    y + 4, label(value)));
        }
        for (int g = 0; g < groups.size(); g++) {
            int groupX = LEFT + g * groupWidth + GROUP_GAP / 2;
            for (int s = 0; s < series.size(); s++) {
                double v = values[s][g];
                if (Double.isNaN(v) || top == 0) {
                    continue;
                }
                boolean clipped = v > top;
                int h = (int) Math.round(PLOT_HEIGHT * Math.min(v, top) / top);
                int x = groupX + s * BAR;
                svg.append(String.format(Locale.ROOT,
                        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>%s %s: %s</title></rect>%n",
                        x, axisBottom - h, BAR - 2, h, colour(s), escape(series.get(s)), escape(groups.get(g)),
                        label(v)));
                svg.append(String.format(Locale.ROOT,
                        "<text x=\"%d\" y=\"%d\" font-size=\"8\" transform=\"rotate(-90 %d %d)\">%s</text>%n",
                        x + BAR / 2 + 3, axisBottom - h - 3, x + BAR / 2 + 3, axisBottom - h - 3, label(v)));
                if (clipped) {
                    svg.append(String.format(Locale.ROOT,
                            "<path d=\"M%d %d l%d -6 M%d %d l%d -6\" stroke=\"white\" stroke-width=\"2\"/>%n",
                            x - 1, axisBottom - h + 14, BAR, x - 1, axisBottom - h + 20, BAR));
                }
            }
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    groupX + series.size() * BAR / 2, axisBottom + 16, escape(groups.get(g))));
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                LEFT, axisBottom, LEFT + plotWidth, axisBottom));
        for (int s = 0; s < series.size(); s++) {
            int y = axisBottom + 36 + s * LEGEND_ROW;
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>%n",
                    LEFT, y - 10, colour(s)));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", LEFT + 18, y,
                    escape(series.get(s))));
        }
        svg.append("</svg>").append(System.lineSeparator());
        Files.writeString(file, svg);
    }

    /**
     * The y axis maximum: a round value above the largest bar, or, when one bar dwarfs the rest (over 2.5
     * times the second largest series' maximum), above the others; that bar is then drawn cut, with its value.
     */
    static double axisTop(double[][] values) {
        double[] maxima = new double[values.length];
        for (int s = 0; s < values.length; s++) {
            for (double v : values[s]) {
                if (!Double.isNaN(v)) {
                    maxima[s] = Math.max(maxima[s], v);
                }
            }
        }
        double[] sorted = maxima.clone();
        Arrays.sort(sorted);
        double largest = sorted.length == 0 ? 0 : sorted[sorted.length - 1];
        double second = sorted.length < 2 ? largest : sorted[sorted.length - 2];
        return niceCeiling((second > 0 && largest > 2.5 * second) ? 1.5 * second : largest);
    }

    private static String colour(int index) {
        return COLOURS[index % COLOURS.length];
    }

    /** The smallest of 1, 2, 2.5, 5 times a power of ten that is at least {@code value}. */
    static double niceCeiling(double value) {
        if (value <= 0) {
            return 1;
        }
        double power = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] { 1, 2, 2.5, 5, 10 }) {
            if (step * power >= value) {
                return step * power;
            }
        }
        return 10 * power;
    }

    private static String label(double value) {
        if (value >= 10_000) {
            return String.format(Locale.ROOT, "%.1fk", value / 1000);
        }
        if (value >= 100 || value == Math.rint(value)) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        return String.format(Locale.ROOT, value >= 10 ? "%.1f" : "%.2f", value);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
