package dev.keepalive.transport.internal.pool;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The global idle order alone: {@code max-idle-conns} names the least recently used connection of any route,
 * connections back from the housekeeper's check go before those idle since, and expiry takes only what is due.
 */
class IdleLruTest {

    private static final long START = 1_000_000_000L;
    private static final long IDLE_TIMEOUT = TimeUnit.SECONDS.toNanos(90);

    private final RoutePool first = new RoutePool(new Route("http", "one.test", 80, null), 0, 10);
    private final RoutePool second = new RoutePool(new Route("http", "two.test", 80, null), 0, 10);
    private long nextId = 1;

    @Test
    void overTheCapTheLeastRecentlyUsedOfAnyRouteIsNamed() throws IOException {
        IdleLru lru = new IdleLru(2);
        PooledConnection oldest = idle(this.first, START, lru);
        idle(this.second, START + 1, lru);
        assertThat(lru.overCap()).isNull();

        idle(this.first, START + 2, lru);
        assertThat(lru.overCap()).isSameAs(oldest);
        lru.remove(oldest);
        assertThat(lru.overCap()).isNull();
        assertThat(lru.count()).isEqualTo(2);
    }

    @Test
    void noCapNamesNothing() throws IOException {
        IdleLru lru = new IdleLru(0);
        for (int i = 0; i < 5; i++) {
            idle(this.first, START + i, lru);
        }
        assertThat(lru.overCap()).isNull();
    }

    @Test
    void checkedConnectionsGoBackBeforeThoseIdleSinceOldestFirst() throws IOException {
        IdleLru lru = new IdleLru(1);
        PooledConnection a = idle(this.first, START, lru);
        PooledConnection b = idle(this.second, START + 1, lru);
        lru.watch(a);
        lru.watch(b);
        assertThat(lru.count()).isEqualTo(2);
        PooledConnection newer = idle(this.first, START + 2, lru);
        lru.watched();
        lru.watched();

        lru.putBackOldest(new ArrayList<>(List.of(b, a)));

        assertThat(lru.overCap()).isSameAs(a);
        lru.remove(a);
        assertThat(lru.overCap()).isSameAs(b);
        lru.remove(b);
        assertThat(lru.overCap()).isNull();
        assertThat(lru.count()).isEqualTo(1);
        lru.remove(newer);
        assertThat(lru.count()).isZero();
    }

    @Test
    void expiryTakesOnlyTheConnectionsPastTheirDeadline() throws IOException {
        IdleLru lru = new IdleLru(0);
        PooledConnection due = idle(this.first, START, lru);
        PooledConnection fit = idle(this.second, START + 10, lru);
        List<PooledConnection> expired = new ArrayList<>();

        lru.takeExpired(START + IDLE_TIMEOUT, Long.MAX_VALUE, expired);

        assertThat(expired).containsExactly(due);
        assertThat(lru.count()).isEqualTo(1);
        lru.remove(fit);
        assertThat(lru.count()).isZero();
    }

    private PooledConnection idle(RoutePool route, long now, IdleLru lru) throws IOException {
        PooledConnection conn = new PooledConnection(this.nextId++, route,
                ManagedHttpClientConnectionFactory.INSTANCE.createConnection(null), START);
        route.added(conn);
        assertThat(route.offerIdle(conn, now, 0, IDLE_TIMEOUT)).isTrue();
        lru.add(conn);
        return conn;
    }
}
