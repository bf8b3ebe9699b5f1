package dev.keepalive.sample;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.jayway.jsonpath.JsonPath;
import org.yaml.snakeyaml.Yaml;

/**
 * Reads the project's {@code ops/} files (the Prometheus alerting rules and the Grafana dashboard) and finds
 * the metric names their PromQL expressions use.
 */
final class OpsFiles {

    /** PromQL words that are not metric names. */
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "by", "without", "on", "ignoring",
            "group_left", "group_right", "bool", "offset", "inf", "nan");

    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)");

    private OpsFiles() {
    }

    /** The repository's {@code ops} folder, found from the module directory the tests run in. */
    static Path opsDir() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("ops/prometheus"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("No ops/prometheus folder above " + Path.of("").toAbsolutePath());
        }
        return dir.resolve("ops");
    }

    static Path alertRules() {
        return opsDir().resolve("prometheus/keepalive-alerts.yml");
    }

    static Path dashboard() {
        return opsDir().resolve("grafana/keepalive-dashboard.json");
    }

    /** The {@code expr} of every rule in a Prometheus rules file. */
    @SuppressWarnings("unchecked")
    static List<String> ruleExpressions(Path rules) throws IOException {
        List<String> expressions = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(rules)) {
            Map<String, Object> root = new Yaml().load(reader);
            for (Map<String, Object> group : (List<Map<String, Object>>) root.get("groups")) {
                for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                    expressions.add((String) rule.get("expr"));
                }
            }
        }
        return expressions;
    }

    /** The alert names of a Prometheus rules file. */
    @SuppressWarnings("unchecked")
    static List<String> alertNames(Path rules) throws IOException {
        List<String> names = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(rules)) {
            Map<String, Object> root = new Yaml().load(reader);
            for (Map<String, Object> group : (List<Map<String, Object>>) root.get("groups")) {
                for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                    names.add((String) rule.get("alert"));
                }
            }
        }
        return names;
    }

    /** Every PromQL query of a Grafana dashboard: panel targets and template-variable queries. */
    static List<String> dashboardExpressions(Path dashboard) throws IOException {
        String json = Files.readString(dashboard);
        List<String> expressions = new ArrayList<>(JsonPath.<List<String>>read(json, "$..targets[*].expr"));
        expressions.addAll(JsonPath.<List<String>>read(json, "$.templating.list[?(@.type == 'query')].definition"));
        return expressions;
    }

    /**
     * The metric names a PromQL expression (or a Grafana {@code label_values(metric, label)} query) reads:
     * strings, label matchers, ranges and label lists removed, every identifier left that is not a function
     * call, a keyword or a Grafana variable.
     */
    static Set<String> metricNames(String expression) {
        Set<String> names = new TreeSet<>();
        Matcher labelValues = LABEL_VALUES.matcher(expression);
        if (labelValues.find()) {
            names.add(labelValues.group(1));
            return names;
        }
        String stripped = expression.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", " ")
            .replaceAll("\\{[^}]*}", " ")
            .replaceAll("\\[[^\\]]*]", " ")
            .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
            .replaceAll("\\$\\w+", " ");
        Matcher identifiers = IDENTIFIER.matcher(stripped);
        while (identifiers.find()) {
            String word = identifiers.group();
            int end = identifiers.end();
            boolean preceededByDigit = identifiers.start() > 0
                    && Character.isDigit(stripped.charAt(identifiers.start() - 1));
            boolean call = stripped.substring(end).stripLeading().startsWith("(");
            if (!call && !preceededByDigit && !KEYWORDS.contains(word.toLowerCase())) {
                names.add(word);
            }
        }
        return names;
    }

    /** The metric names of a Prometheus text exposition. */
    static Set<String> exportedNames(String exposition) {
        Set<String> names = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            names.add(line.substring(0, end));
        }
        return names;
    }

}
