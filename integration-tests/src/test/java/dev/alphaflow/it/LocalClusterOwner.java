package dev.alphaflow.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import dev.alphaflow.jobs.cluster.ClusterSettings;
import dev.alphaflow.jobs.cluster.LocalCluster;

/**
 * The main class of the JVM that {@link LocalClusterExitITCase} starts and then terminates: it starts a local
 * cluster (broker, JobManager, one TaskManager) from the shipped jar (with {@link LocalCluster#stopWhenThisJvmExits} when its
 * second argument is {@code stop-on-exit}), prints {@code started}, and waits to be killed.
 *
 * <p>Arguments: {@code <cluster folder> stop-on-exit|outlive <jar>}.
 */
public final class LocalClusterOwner {
    private LocalClusterOwner() {
    }

    public static void main(String[] args) throws Exception {
        ClusterSettings settings = new ClusterSettings(Path.of(args[0]), Path.of(args[2]), 1, 1,
                LocalCluster.freePort(), LocalCluster.freeKafkaPort(), "1g", "1g", Duration.ofSeconds(1), "hashmap",
                Map.of());
        LocalCluster cluster = LocalCluster.of(settings);
        if (args[1].equals("stop-on-exit")) {
            cluster.stopWhenThisJvmExits();
        }
        cluster.start();
        System.out.println("started");
        Thread.sleep(Long.MAX_VALUE);
    }
}
