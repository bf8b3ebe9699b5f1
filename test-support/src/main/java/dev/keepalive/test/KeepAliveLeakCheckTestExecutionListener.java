package dev.keepalive.test;

import java.util.ArrayList;
import java.util.List;

import dev.keepalive.transport.KeepAliveTransport;

import org.springframework.core.Ordered;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.TestExecutionListener;

/**
 * Runs the leak check around every test method of a Spring test whose context has a
 * {@link KeepAliveTransport}. Registered through {@code META-INF/spring.factories}, so no annotation is
 * needed; what it checks, reports and allows is in the package documentation.
 *
 * <p>Its order puts its after-method check before Spring's own after-method listeners, such as the one that
 * closes a context marked {@code @DirtiesContext}: the transport must still be open when it looks.
 */
public final class KeepAliveLeakCheckTestExecutionListener implements TestExecutionListener, Ordered {

    /** After {@code DirtiesContextTestExecutionListener} (3000) and the transactional listener (4000). */
    static final int ORDER = 6000;

    private static final String WINDOWS = KeepAliveLeakCheckTestExecutionListener.class.getName() + ".windows";

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public void beforeTestMethod(TestContext testContext) {
        if (!testContext.hasApplicationContext()) {
            return;
        }
        SpringContextTransports context = SpringContextTransports.of(testContext.getApplicationContext());
        if (context.transports().isEmpty() || !context.options().enabled()
                || OptOut.find(testContext.getTestClass(), testContext.getTestMethod()) != null) {
            return;
        }
        List<TestWindow> windows = new ArrayList<>(context.transports().size());
        for (KeepAliveTransport transport : context.transports()) {
            if (!transport.isClosed()) {
                windows.add(TestWindow.open(transport));
            }
        }
        testContext.setAttribute(WINDOWS, new Pending(windows, context.options()));
    }

    @Override
    public void afterTestMethod(TestContext testContext) {
        if (!(testContext.removeAttribute(WINDOWS) instanceof Pending pending)) {
            return;
        }
        String test = testContext.getTestClass().getSimpleName() + "." + testContext.getTestMethod().getName();
        StringBuilder failures = new StringBuilder();
        for (TestWindow window : pending.windows()) {
            LeakReport report = LeakCheck.end(window, pending.options(), test);
            if (report.failed()) {
                failures.append(failures.length() > 0 ? "\n\n" : "").append(report.failureMessage());
            }
        }
        if (failures.length() > 0) {
            throw new AssertionError(failures.toString());
        }
    }

    /** The windows a test method opened, one per transport of its context, and the options to end them with. */
    private record Pending(List<TestWindow> windows, CheckOptions options) {
    }
}
