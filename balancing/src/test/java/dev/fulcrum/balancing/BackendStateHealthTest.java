package dev.fulcrum.balancing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** A backend the health checks see DOWN takes no new flows, whichever policy picks. */
class BackendStateHealthTest {

    @Test
    void aBackendStartsHealthyAndAcceptsFlows() {
        BackendState b = TestBackends.backends(1).states().get(0);

        assertThat(b.isHealthy()).isTrue();
        assertThat(b.acceptsNewFlows()).isTrue();
    }

    @Test
    void anUnhealthyBackendRefusesNewFlowsButKeepsItsOpenOnes() {
        BackendState b = TestBackends.backends(1).states().get(0);
        assertThat(b.tryAcquire()).isTrue();

        b.setHealthy(false);

        assertThat(b.acceptsNewFlows()).isFalse();
        assertThat(b.activeFlows()).as("open flows are not cut").isEqualTo(1);
        b.setHealthy(true);
        assertThat(b.acceptsNewFlows()).isTrue();
    }

    @Test
    void everyPolicySkipsAnUnhealthyBackend() {
        for (String type : Policies.types()) {
            BackendSet backends = TestBackends.backends(1, 1, 1);
            backends.states().get(1).setHealthy(false);
            BalancingPolicy policy = Policies.create(backends, PolicyConfig.of(type), null);
            for (int i = 0; i < 500; i++) {
                Flow flow = new Flow(i * 0x9E3779B97F4A7C15L, null, new InetSocketAddress("127.0.0.1", 40000 + i));
                assertThat(policy.pick(flow)).as("%s, flow %s", type, i).isNotNull()
                        .isNotSameAs(backends.states().get(1));
            }
        }
    }

    @Test
    void everyPolicyPicksNothingWhenNoBackendIsHealthy() {
        for (String type : Policies.types()) {
            BackendSet backends = TestBackends.backends(1, 2);
            backends.states().forEach(b -> b.setHealthy(false));
            BalancingPolicy policy = Policies.create(backends, PolicyConfig.of(type), null);

            assertThat(policy.pick(TestBackends.flow())).as(type).isNull();
        }
    }
}
