package dev.keepalive.transport.internal.pool;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import dev.keepalive.transport.CloseReason;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.io.ManagedHttpClientConnection;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One route's policy alone, on explicit clock values: LIFO take, the idle cap, the least recently used idle
 * connection as the one to evict, and FIFO grants that honour {@code fresh} and the connection state.
 */
class RoutePoolTest {

    private static final long START = 1_000_000_000L;
    private static final long IDLE_TIMEOUT = TimeUnit.SECONDS.toNanos(90);
    private static final long LIFETIME = Long.MAX_VALUE;

    private final RoutePool pool = new RoutePool(new Route("http", "example.test", 80, null), 4, 3);
    private final ReentrantLock lock = new ReentrantLock();
    private long nextId = 1;

    @Test
    void takesTheMostRecentlyUsedIdleConnectionFirst() throws IOException {
        PooledConnection a = idleAt(START, null);
        PooledConnection b = idleAt(START + 1, null);
        PooledConnection c = idleAt(START + 2, null);

        assertThat(take(null, START + 3)).isSameAs(c);
        assertThat(take(null, START + 3)).isSameAs(b);
        assertThat(take(null, START + 3)).isSameAs(a);
        assertThat(take(null, START + 3)).isNull();
        assertThat(c.state).isEqualTo(PooledConnection.State.ACTIVE);
        assertThat(this.pool.idleCount()).isZero();
        assertThat(this.pool.active()).isEqualTo(3);
    }

    @Test
    void takesAConnectionOfTheCallersStateElseOneWithNoneButNeverAnotherCallers() throws IOException {
        PooledConnection none = idleAt(START, null);
        PooledConnection alice = idleAt(START + 1, "alice");
        PooledConnection bob = idleAt(START + 2, "bob");

        assertThat(take("alice", START + 3)).isSameAs(alice);
        assertThat(take("carol", START + 3)).isSameAs(none);
        assertThat(take(null, START + 3)).isNull();
        assertThat(take("bob", START + 3)).isSameAs(bob);
    }

    @Test
    void expiredIdleConnectionsMetOnTheWayAreHandedToThePoolToClose() throws IOException {
        PooledConnection old = idleAt(START, null);
        PooledConnection recent = idleAt(START + IDLE_TIMEOUT - 10, null);
        List<PooledConnection> expired = new ArrayList<>();

        // "recent" is taken before "old" is even looked at: LIFO, and only what is passed is checked.
        assertThat(this.pool.takeIdle(null, START + IDLE_TIMEOUT, LIFETIME, expired)).isSameAs(recent);
        assertThat(expired).isEmpty();

        assertThat(this.pool.takeIdle(null, START + IDLE_TIMEOUT, LIFETIME, expired)).isNull();
        assertThat(expired).containsExactly(old);
        assertThat(old.expiry(START + IDLE_TIMEOUT, LIFETIME)).isEqualTo(CloseReason.IDLE_TIMEOUT);
        assertThat(old.state).isEqualTo(PooledConnection.State.ACTIVE);
        assertThat(this.pool.idleCount()).isZero();
    }

    @Test
    void refusesAnIdleConnectionOverMaxIdleConnsCountingThoseBeingChecked() throws IOException {
        PooledConnection a = idleAt(START, null);
        idleAt(START + 1, null);
        idleAt(START + 2, null);
        assertThat(this.pool.leastRecentlyUsedIdle()).isSameAs(a);

        PooledConnection fourth = leased();
        assertThat(this.pool.offerIdle(fourth, START + 3, 0, IDLE_TIMEOUT)).isFalse();
        assertThat(fourth.state).isNotEqualTo(PooledConnection.State.IDLE);

        // One taken out for the housekeeper's check still counts against the cap until it is back.
        List<PooledConnection> due = new ArrayList<>();
        this.pool.takeDueForCheck(START, due);
        assertThat(due).containsExactly(a);
        assertThat(this.pool.idleCount()).isEqualTo(3);
        assertThat(this.pool.offerIdle(fourth, START + 3, 0, IDLE_TIMEOUT)).isFalse();

        this.pool.checked();
        assertThat(this.pool.offerIdle(fourth, START + 3, 0, IDLE_TIMEOUT)).isTrue();
        assertThat(take(null, START + 4)).isSameAs(fourth);
    }

    @Test
    void theServersAnnouncedTimeoutShortensTheIdleDeadline() throws IOException {
        PooledConnection conn = leased();
        assertThat(this.pool.offerIdle(conn, START, 5_000, IDLE_TIMEOUT)).isTrue();
        assertThat(conn.idleDeadlineNanos).isEqualTo(START + TimeUnit.SECONDS.toNanos(5));

        take(null, START);
        assertThat(this.pool.offerIdle(conn, START, 0, IDLE_TIMEOUT)).isTrue();
        assertThat(conn.idleDeadlineNanos).isEqualTo(START + IDLE_TIMEOUT);
    }

    @Test
    void waitersAreServedInArrivalOrder() {
        RoutePool.Waiter first = waiter(null, false);
        RoutePool.Waiter second = waiter(null, false);
        this.pool.addWaiter(first);
        this.pool.addWaiter(second);

        assertThat(this.pool.firstWaiter()).isSameAs(first);
        assertThat(this.pool.nextWaiter()).isSameAs(first);
        assertThat(this.pool.nextWaiter()).isSameAs(second);
        assertThat(this.pool.nextWaiter()).isNull();
        assertThat(this.pool.hasWaiters()).isFalse();
    }

    @Test
    void aUsedConnectionGoesToTheFirstWaiterOnlyIfItIsNotFreshAndTheStateAllows() throws IOException {
        PooledConnection plain = leased();
        PooledConnection alices = leased();
        alices.userState = "alice";

        this.pool.addWaiter(waiter("alice", false));
        assertThat(this.pool.firstWaiterTakes(plain)).isTrue();
        assertThat(this.pool.firstWaiterTakes(alices)).isTrue();

        this.pool.nextWaiter();
        this.pool.addWaiter(waiter("bob", false));
        assertThat(this.pool.firstWaiterTakes(plain)).isTrue();
        assertThat(this.pool.firstWaiterTakes(alices)).isFalse();

        this.pool.nextWaiter();
        this.pool.addWaiter(waiter(null, true));
        assertThat(this.pool.firstWaiterTakes(plain)).isFalse();
    }

    @Test
    void removingCountsTheCloseOnceAndFreesTheSlot() throws IOException {
        RoutePool capped = new RoutePool(new Route("http", "example.test", 80, null), 1, 1);
        PooledConnection conn = new PooledConnection(this.nextId++, capped, wire(), START);
        capped.added(conn);
        assertThat(capped.hasRoom()).isFalse();
        assertThat(capped.offerIdle(conn, START, 0, IDLE_TIMEOUT)).isTrue();

        assertThat(capped.remove(conn, CloseReason.IDLE_TIMEOUT, START + 1)).isTrue();
        assertThat(capped.hasRoom()).isTrue();
        assertThat(capped.idleCount()).isZero();
        assertThat(capped.leastRecentlyUsedIdle()).isNull();
        long[] closedBy = new long[CloseReason.values().length];
        capped.addClosedBy(closedBy);
        assertThat(closedBy[CloseReason.IDLE_TIMEOUT.ordinal()]).isEqualTo(1);
        assertThat(capped.unusedFor(10, START + 11)).isTrue();
        assertThat(capped.unusedFor(10, START + 10)).isFalse();
    }

    private PooledConnection take(Object userState, long now) {
        List<PooledConnection> expired = new ArrayList<>();
        PooledConnection conn = this.pool.takeIdle(userState, now, LIFETIME, expired);
        assertThat(expired).isEmpty();
        return conn;
    }

    private PooledConnection idleAt(long now, Object userState) throws IOException {
        PooledConnection conn = leased();
        conn.userState = userState;
        assertThat(this.pool.offerIdle(conn, now, 0, IDLE_TIMEOUT)).isTrue();
        return conn;
    }

    private PooledConnection leased() throws IOException {
        PooledConnection conn = new PooledConnection(this.nextId++, this.pool, wire(), START);
        this.pool.added(conn);
        conn.state = PooledConnection.State.ACTIVE;
        return conn;
    }

    private RoutePool.Waiter waiter(Object userState, boolean fresh) {
        return new RoutePool.Waiter(this.lock.newCondition(), userState, fresh);
    }

    private static ManagedHttpClientConnection wire() throws IOException {
        return ManagedHttpClientConnectionFactory.INSTANCE.createConnection(null);
    }
}
