package dev.keepalive.autoconfigure;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * Matches when the application has not chosen Boot's request factory itself with
 * {@code spring.http.clients.imperative.factory}. A choice made explicitly wins over the starter, and the
 * starter says so at INFO, because a user who added it would otherwise expect keepalive to be in use.
 * <p>
 * Spring evaluates a failing condition of a configuration class once per context (the class is then
 * skipped), so the line is written once per context.
 */
final class OnNoExplicitImperativeFactoryCondition extends SpringBootCondition {

    static final String PROPERTY = "spring.http.clients.imperative.factory";

    private static final Logger log = LoggerFactory.getLogger(KeepAliveAutoConfiguration.class);

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        ConditionMessage.Builder message = ConditionMessage.forCondition("keepalive transport for Boot's builders");
        String factory = context.getEnvironment().getProperty(PROPERTY);
        if (!StringUtils.hasText(factory)) {
            return ConditionOutcome.match(message.because(PROPERTY + " is not set"));
        }
        log.info("{} is set to '{}': RestClient and RestTemplate built from Boot's builders use that factory, "
                + "not keepalive; remove the property to use keepalive", PROPERTY, factory);
        return ConditionOutcome.noMatch(message.because(PROPERTY + " is set to '" + factory + "'"));
    }

}
