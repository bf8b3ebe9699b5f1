package dev.keepalive.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Turns the response-body leak check off for a test method, or for every method of a test class (and its
 * {@code @Nested} classes), for tests that leave bodies open or drop them on purpose, such as a
 * demonstration of a leak or a test of the leak detector itself. The reason is required, so that the
 * exception reads as a decision in the test source:
 *
 * <pre>{@code
 * @Test
 * @AllowBodyLeaks(reason = "demonstrates the pool exhaustion a leak causes")
 * void stormExhaustsThePool() { ... }
 * }</pre>
 *
 * For a whole run, set {@code keepalive.test.leak-check=off} instead (see the package documentation).
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.TYPE, ElementType.METHOD })
public @interface AllowBodyLeaks {

    /** Why this test may leave bodies open; must not be blank. */
    String reason();
}
