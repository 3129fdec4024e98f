package dev.fulcrum.qos.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StorageExperimentTest {

    @Test
    void reportsEveryMethodOnBothWorkloadsAndTheAblation() {
        StorageExperiment.Report report = StorageExperiment.run(new StorageExperiment.Settings(600, 3, 300, 1, 60));
        assertThat(report.table()).hasSize(8);
        assertThat(report.table()).extracting(StorageExperiment.Row::workload).containsOnly("synthetic", "real-world-like");
        assertThat(report.table()).extracting(StorageExperiment.Row::method)
                .contains("PASCAL", "LBICA-like threshold", "PID", "static");
        assertThat(report.ablation()).hasSize(16);
        assertThat(report.ablation()).extracting(StorageExperiment.Row::method).contains("PASCAL, client at its Eq. 15 share (tuned)");
        for (StorageExperiment.Row row : report.table()) {
            assertThat(row.meanThroughput()).isPositive();
            assertThat(row.p99LatencyMs()).isPositive();
            assertThat(row.jitter()).isPositive();
        }
        assertThat(report.series()).containsKey("synthetic/PASCAL");
    }
}
