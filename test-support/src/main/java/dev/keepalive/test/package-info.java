/**
 * keepalive-test: fails the application's own tests that leave a response body open unread or drop it
 * unclosed, naming the line that opened it. A test-scoped dependency.
 *
 * <h2>In Spring tests: nothing to write</h2>
 * Through spring-test's {@code META-INF/spring.factories}, every Spring test context (such as
 * {@code @SpringBootTest} or {@code @RestClientTest}) gets {@link dev.keepalive.test.KeepAliveLeakCheckTestExecutionListener}
 * and a context customizer that sets {@code keepalive.leak-detection.capture-stack=always}, so that every
 * body records its opening stack. After each test method (after its {@code @AfterEach} methods), the bodies
 * that the test opened on the context's {@code KeepAliveTransport} beans (and on the transports of its
 * {@code KeepAliveRequestFactory} beans) are checked:
 * <ul>
 * <li>a body dropped without being read to the end or closed (a <em>leak</em>) fails the test;</li>
 * <li>a body still open and unread when the test ended fails the test;</li>
 * <li>a body read to the end and never closed is logged as a warning (its connection went back to the pool
 * at EOF, so nothing leaked), or fails the test with {@code keepalive.test.fail-on-eof-not-closed=true}.</li>
 * </ul>
 * The message lists each body with its method, redacted URI, what happened to it, how long it was open,
 * bytes read, the opening application line and the stack down to the test, then says what to do.
 *
 * <h2>Dropped bodies are found without luck</h2>
 * A dropped body is only found once the garbage collector has run. When bodies the test opened are still
 * open at its end, the check asks for a collection ({@code System.gc()}) and waits up to 2 s for the
 * transport to find the dropped ones; a body still open after that is still referenced (or the JVM runs
 * with {@code -XX:+DisableExplicitGC}). When none of the test's bodies is open, the check costs two O(1)
 * reads: no collection, no list of bodies.
 *
 * <h2>Which bodies are the test's: a window, and what happens in parallel</h2>
 * A test owns the bodies its context's transport opened between the start and the end of the test method
 * (in a Spring test its {@code @BeforeEach} and {@code @AfterEach} methods included; with the JUnit extension
 * the test method alone), with body ids as the watermark, on any thread: a body opened on a server thread of a
 * {@code @SpringBootTest(webEnvironment = RANDOM_PORT)} application while it serves the test's request is
 * the test's too, and that is why the check attributes by time and not by thread. Tests that share a cached
 * context one after the other are therefore told apart exactly. When tests run at the same time on one
 * context (JUnit's parallel execution), their windows overlap and a body cannot be told apart. Then:
 * <ul>
 * <li>a body that <em>leaked</em> in a test's window still fails that test (a leak is never let through),
 * and the message says that another test ran on the transport at the same time and may own it;</li>
 * <li>a body merely <em>still open</em> at the end of an overlapped window does not fail the test: it is
 * logged as a warning, since it may be a neighbour's body still being read;</li>
 * <li>a test whose window holds another test's open body waits up to 2 s for it at its end.</li>
 * </ul>
 * For exact attribution, run the tests of one context serially (for example
 * {@code @Execution(ExecutionMode.SAME_THREAD)} on those classes, or a {@code @ResourceLock}).
 *
 * <h2>Opt-outs</h2>
 * {@link dev.keepalive.test.AllowBodyLeaks @AllowBodyLeaks(reason = "...")} on a test method or class turns
 * the check off for it. {@code keepalive.test.leak-check=off} turns it off for a whole run, as a system
 * property ({@code -Dkeepalive.test.leak-check=off}) or, for the tests of one context, as a Spring property
 * ({@code application.properties}, {@code @SpringBootTest(properties = ...)}); with it off, stacks are not
 * forced either.
 *
 * <h2>Without Spring</h2>
 * {@link dev.keepalive.test.KeepAliveLeakCheck} is a JUnit 5 extension over a given transport or request
 * factory, and {@link dev.keepalive.test.KeepAliveAssertions} has AssertJ-style assertions
 * ({@code assertThat(transport).hasNoOpenBodies()}, {@code .hasNoLeaks()}), with the same messages.
 */
package dev.keepalive.test;
