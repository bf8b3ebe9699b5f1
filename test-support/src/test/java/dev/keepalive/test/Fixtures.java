package dev.keepalive.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.keepalive.test.fixtures.FixtureTest;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Runs fixture test classes through JUnit's {@code EngineTestKit}, in this JVM, and reads their outcomes and
 * the lines of their source.
 */
final class Fixtures {

    private Fixtures() {
    }

    /** Runs the classes with the fixtures enabled (and {@code extra} system properties set meanwhile). */
    static EngineExecutionResults run(List<String> extraProperties, Class<?>... classes) {
        String previous = System.setProperty(FixtureTest.PROPERTY, "run");
        for (String property : extraProperties) {
            String[] pair = property.split("=", 2);
            System.setProperty(pair[0], pair[1]);
        }
        try {
            DiscoverySelector[] selectors = new DiscoverySelector[classes.length];
            for (int i = 0; i < classes.length; i++) {
                selectors[i] = DiscoverySelectors.selectClass(classes[i]);
            }
            return EngineTestKit.engine("junit-jupiter").selectors(selectors).execute();
        }
        finally {
            for (String property : extraProperties) {
                System.clearProperty(property.split("=", 2)[0]);
            }
            if (previous == null) {
                System.clearProperty(FixtureTest.PROPERTY);
            }
            else {
                System.setProperty(FixtureTest.PROPERTY, previous);
            }
        }
    }

    static EngineExecutionResults run(Class<?>... classes) {
        return run(List.of(), classes);
    }

    /** The finished event of {@code type.method}. */
    static Event finished(EngineExecutionResults results, Class<?> type, String method) {
        return results.testEvents().finished().stream().filter((event) -> event.getTestDescriptor().getSource()
                .filter(MethodSource.class::isInstance).map(MethodSource.class::cast)
                .filter((source) -> source.getClassName().equals(type.getName()) && source.getMethodName().equals(method))
                .isPresent()).findFirst().orElseThrow(() -> new AssertionError("no finished test " + type + "." + method));
    }

    static TestExecutionResult.Status status(EngineExecutionResults results, Class<?> type, String method) {
        return finished(results, type, method).getRequiredPayload(TestExecutionResult.class).getStatus();
    }

    /** The failure message of {@code type.method}, which must have failed. */
    static String failure(EngineExecutionResults results, Class<?> type, String method) {
        TestExecutionResult result = finished(results, type, method).getRequiredPayload(TestExecutionResult.class);
        if (result.getStatus() != TestExecutionResult.Status.FAILED) {
            throw new AssertionError(type.getSimpleName() + "." + method + " did not fail: " + result);
        }
        return result.getThrowable().orElseThrow().getMessage();
    }

    /** {@code File.java:N} of the line holding {@code marker} in the source of {@code type} (or its outer class). */
    static String line(Class<?> type, String marker) {
        Class<?> outer = type;
        while (outer.getEnclosingClass() != null) {
            outer = outer.getEnclosingClass();
        }
        Path source = Path.of("src/test/java", outer.getName().replace('.', '/') + ".java");
        try {
            List<String> lines = Files.readAllLines(source);
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).contains("// marker: " + marker)) {
                    return outer.getSimpleName() + ".java:" + (i + 1);
                }
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        throw new AssertionError("no line '// marker: " + marker + "' in " + source);
    }
}
