package dev.fulcrum.proxy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** After each test class: no Netty buffer may have been leaked (see {@link LeakDetection}). */
public final class LeakCheckExtension implements AfterAllCallback {

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        List<String> leaks = LeakDetection.collectLeaks();
        assertThat(leaks).as("Netty buffer leaks reported after %s", context.getDisplayName()).isEmpty();
    }
}
