package dev.keepalive.test;

import java.util.List;

import dev.keepalive.test.fixtures.CleanFixture;
import dev.keepalive.test.fixtures.EofNotClosedFixture;
import dev.keepalive.test.fixtures.ExchangeLeakFixture;
import dev.keepalive.test.fixtures.OptOutFixture;
import dev.keepalive.test.fixtures.SharedContextFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.testkit.engine.EngineExecutionResults;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.TestExecutionResult.Status.FAILED;
import static org.junit.platform.engine.TestExecutionResult.Status.SUCCESSFUL;

/**
 * Runs Spring test classes that leak, or do not, through JUnit's EngineTestKit and checks what
 * keepalive-test, registered only through {@code spring.factories}, made of each: outcome and message.
 */
@ExtendWith(OutputCaptureExtension.class)
class SpringLeakCheckTest {

    private static final String PACKAGE = "dev.keepalive.test.fixtures.";

    @Test
    void aResponseKeptOpenThroughExchangeFailsTheTestNamingItsLine() {
        EngineExecutionResults results = Fixtures.run(ExchangeLeakFixture.class);
        String message = Fixtures.failure(results, ExchangeLeakFixture.class, "keepsAResponseOpen");
        assertThat(message).startsWith("1 response body opened by this test was not closed:")
                .containsPattern("GET http://127\\.0\\.0\\.1:\\d+/data\\?…  \\(body #\\d+\\)")
                .doesNotContain("s3cret")
                .contains("left open: neither read to the end nor closed")
                .containsPattern("open \\d+ ms, 0 of 1024 bytes read")
                .contains("opened at " + PACKAGE + "ExchangeLeakFixture.keepsAResponseOpen("
                        + Fixtures.line(ExchangeLeakFixture.class, "kept") + ")")
                .contains("Each one held a pooled connection. Read each body to the end or close it")
                .contains("try-with-resources").contains("retrieve()")
                .endsWith("A test that leaks on purpose: @AllowBodyLeaks(reason = \"...\").");
    }

    @Test
    void aResponseDroppedAndCollectedFailsAsLeaked() {
        EngineExecutionResults results = Fixtures.run(ExchangeLeakFixture.class);
        String message = Fixtures.failure(results, ExchangeLeakFixture.class, "dropsAResponse");
        assertThat(message).contains("leaked: dropped without being read to the end or closed")
                .contains("opened at " + PACKAGE + "ExchangeLeakFixture.dropsAResponse("
                        + Fixtures.line(ExchangeLeakFixture.class, "dropped") + ")")
                .doesNotContain("junit").doesNotContain("left open");
    }

    @Test
    void aBodyReadToEofAndNeverClosedIsAWarningByDefault(CapturedOutput output) {
        EngineExecutionResults results = Fixtures.run(EofNotClosedFixture.class);
        assertThat(Fixtures.status(results, EofNotClosedFixture.class, "readsToTheEndWithoutClosing"))
                .isEqualTo(SUCCESSFUL);
        assertThat(output.getOut()).contains("WARN")
                .contains("1 response body opened by this test (EofNotClosedFixture.readsToTheEndWithoutClosing) was"
                        + " not closed; nothing leaked")
                .contains("read to the end but never closed")
                .contains("1024 of 1024 bytes read")
                .contains(Fixtures.line(EofNotClosedFixture.class, "eof"))
                .contains("keepalive.test.fail-on-eof-not-closed=true");
    }

    @Test
    void aBodyReadToEofAndNeverClosedFailsWhenAskedTo() {
        EngineExecutionResults results = Fixtures.run(EofNotClosedFixture.Strict.class);
        assertThat(Fixtures.failure(results, EofNotClosedFixture.Strict.class, "readsToTheEndWithoutClosing"))
                .contains("read to the end but never closed")
                .contains(Fixtures.line(EofNotClosedFixture.class, "strict eof"))
                .doesNotContain("held a pooled connection");
    }

    @Test
    void cleanTestsPassWithoutWarnings(CapturedOutput output) {
        EngineExecutionResults results = Fixtures.run(CleanFixture.class);
        results.testEvents().assertStatistics((stats) -> stats.started(3).succeeded(3));
        assertThat(output.getOut()).doesNotContain("not closed");
    }

    @Test
    void theAnnotationExcusesOneMethodAndNotItsNeighbour() {
        EngineExecutionResults results = Fixtures.run(OptOutFixture.class);
        assertThat(Fixtures.status(results, OptOutFixture.class, "leaksWithPermission")).isEqualTo(SUCCESSFUL);
        assertThat(Fixtures.failure(results, OptOutFixture.class, "leaksWithoutPermission"))
                .contains(Fixtures.line(OptOutFixture.class, "unexcused"));
    }

    @Test
    void theAnnotationOnAClassExcusesEveryMethod() {
        EngineExecutionResults results = Fixtures.run(OptOutFixture.WholeClass.class);
        results.testEvents().assertStatistics((stats) -> stats.started(2).succeeded(2));
    }

    @Test
    void theCheckIsOffForAContextWithTheSpringProperty() {
        EngineExecutionResults results = Fixtures.run(OptOutFixture.CheckOff.class);
        results.testEvents().assertStatistics((stats) -> stats.started(1).succeeded(1));
    }

    @Test
    void theCheckIsOffForARunWithTheSystemProperty() {
        EngineExecutionResults results = Fixtures.run(List.of("keepalive.test.leak-check=off"),
                ExchangeLeakFixture.class);
        results.testEvents().assertStatistics((stats) -> stats.started(2).succeeded(2));
    }

    @Test
    void twoClassesOnOneCachedContextEachGetTheirOwnLeak() {
        EngineExecutionResults results = Fixtures.run(SharedContextFixtures.First.class,
                SharedContextFixtures.Second.class);
        results.testEvents().assertStatistics((stats) -> stats.started(4).succeeded(2).failed(2));
        assertThat(Fixtures.status(results, SharedContextFixtures.First.class, "isClean")).isEqualTo(SUCCESSFUL);
        assertThat(Fixtures.status(results, SharedContextFixtures.Second.class, "isClean")).isEqualTo(SUCCESSFUL);
        String first = Fixtures.failure(results, SharedContextFixtures.First.class, "leaks");
        String second = Fixtures.failure(results, SharedContextFixtures.Second.class, "leaks");
        assertThat(first).startsWith("1 response body").contains("/first")
                .contains(Fixtures.line(SharedContextFixtures.class, "first")).doesNotContain("/second");
        assertThat(second).startsWith("1 response body").contains("/second")
                .contains(Fixtures.line(SharedContextFixtures.class, "second")).doesNotContain("/first");
        assertThat(Fixtures.status(results, SharedContextFixtures.Second.class, "leaks")).isEqualTo(FAILED);
    }
}
