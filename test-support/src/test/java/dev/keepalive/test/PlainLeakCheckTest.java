package dev.keepalive.test;

import dev.keepalive.test.fixtures.AssertionsFixture;
import dev.keepalive.test.fixtures.PlainExtensionFixture;
import dev.keepalive.test.fixtures.Scenarios;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.TestExecutionResult.Status.SUCCESSFUL;

/**
 * The JUnit extension ({@link KeepAliveLeakCheck}) and the assertions ({@link KeepAliveAssertions}), without
 * Spring, over the same scenarios: they must fail and pass alike, with the same description of each body.
 */
@ExtendWith(OutputCaptureExtension.class)
class PlainLeakCheckTest {

    private static EngineExecutionResults results;

    @BeforeAll
    static void runFixtures() {
        results = Fixtures.run(PlainExtensionFixture.class, AssertionsFixture.class, PlainExtensionFixture.Strict.class);
    }

    @ParameterizedTest
    @ValueSource(classes = { PlainExtensionFixture.class, AssertionsFixture.class })
    void aCleanTestPasses(Class<?> fixture) {
        assertThat(Fixtures.status(results, fixture, "clean")).isEqualTo(SUCCESSFUL);
    }

    @ParameterizedTest
    @ValueSource(classes = { PlainExtensionFixture.class, AssertionsFixture.class })
    void aDroppedBodyFailsAsLeakedNamingTheLine(Class<?> fixture) {
        assertThat(Fixtures.failure(results, fixture, "drop"))
                .containsPattern("^1 response body opened (by this test|on this transport) was not closed:")
                .containsPattern("GET http://127\\.0\\.0\\.1:\\d+/dropped  \\(body #\\d+\\)")
                .contains("leaked: dropped without being read to the end or closed")
                .contains("        at dev.keepalive.test.fixtures.Scenarios.drop(" + Fixtures.line(Scenarios.class, "scenario drop") + ")")
                .contains("        at dev.keepalive.test.fixtures." + fixture.getSimpleName() + ".drop(")
                .contains("Each one held a pooled connection. Read each body to the end or close it");
    }

    @ParameterizedTest
    @ValueSource(classes = { PlainExtensionFixture.class, AssertionsFixture.class })
    void aBodyStillHeldFailsAsLeftOpen(Class<?> fixture) {
        assertThat(Fixtures.failure(results, fixture, "keepOpen"))
                .contains("left open: neither read to the end nor closed, and still referenced after a garbage collection")
                .contains("0 of 1024 bytes read")
                .contains("        at dev.keepalive.test.fixtures.Scenarios.keepOpen(" + Fixtures.line(Scenarios.class, "scenario keep") + ")");
    }

    @ParameterizedTest
    @ValueSource(classes = { PlainExtensionFixture.class, AssertionsFixture.class })
    void aBodyReadToEofAndNeverClosedPassesWithAWarning(Class<?> fixture) {
        assertThat(Fixtures.status(results, fixture, "readToEofWithoutClose")).isEqualTo(SUCCESSFUL);
    }

    @Test
    void theWarningNamesTheLine(CapturedOutput output) {
        Fixtures.run(PlainExtensionFixture.class);
        assertThat(output.getOut()).contains("(PlainExtensionFixture.readToEofWithoutClose) was not closed; nothing leaked")
                .contains("read to the end but never closed")
                .contains("        at dev.keepalive.test.fixtures.Scenarios.readToEofWithoutClose(" + Fixtures.line(Scenarios.class, "scenario eof") + ")");
    }

    @Test
    void theExtensionFailsOnEofNotClosedWhenAsked() {
        assertThat(Fixtures.failure(results, PlainExtensionFixture.Strict.class, "readToEofWithoutClose"))
                .contains("read to the end but never closed")
                .contains(Fixtures.line(Scenarios.class, "scenario eof"));
    }

    @Test
    void hasNoOpenBodiesSeesADroppedBodyBeforeAnyCollectionAsOpen() {
        assertThat(Fixtures.failure(results, AssertionsFixture.class, "dropSeenAsOpenBeforeAnyCollection"))
                .startsWith("1 response body left open on this transport was not closed:")
                .contains("open: neither read to the end nor closed")
                .contains(Fixtures.line(Scenarios.class, "scenario drop"));
    }

    @Test
    void theExtensionAndTheAssertionsGiveTheSameOutcomeForEveryScenario() {
        for (String scenario : new String[] { "clean", "drop", "keepOpen", "readToEofWithoutClose" }) {
            assertThat(Fixtures.status(results, PlainExtensionFixture.class, scenario)).as(scenario)
                    .isEqualTo(Fixtures.status(results, AssertionsFixture.class, scenario));
        }
    }
}
