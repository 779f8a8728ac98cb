package dev.alphaflow.jobs.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import dev.alphaflow.jobs.local.LocalFlink;
import dev.alphaflow.jobs.matting.KafkaWiring;
import dev.alphaflow.jobs.matting.MattingJobOptions;

/**
 * {@code alphaflow run}: the matting job on a local Flink MiniCluster (heap or RocksDB state as
 * {@code alphaflow.state.backend} says, file checkpoints) against any Kafka cluster. To run on a Flink cluster instead, submit the shaded jar
 * with {@code flink run -c dev.alphaflow.jobs.cli.FlinkEntryPoint}.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the matting job: frames topic -> decode -> sequencer -> RVM -> mattes topic (+ DLQ).")
final class RunCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Mixin
    JobOptions job;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR", defaultValue = "alphaflow-state/checkpoints",
            description = "Where checkpoints are written (default: ${DEFAULT-VALUE}).")
    Path checkpointDir;

    @Option(names = "--restore-from", paramLabel = "CHECKPOINT",
            description = "Resume from a retained checkpoint or savepoint folder.")
    Path restoreFrom;

    @Option(names = "--bounded",
            description = "Stop at the frames topic's current end (archive replay) instead of running until interrupted.")
    boolean bounded;

    @Override
    public Integer call() throws Exception {
        Configuration conf = job.toConfiguration(kafka, SharedPaths.modelDir());
        conf.set(MattingJobOptions.BOUNDED, bounded);
        LocalFlink.Builder flink = LocalFlink.builder()
                .checkpointDir(checkpointDir)
                .checkpointInterval(job.checkpointInterval())
                .parallelism(job.parallelism())
                .stateBackend(conf.get(LocalFlink.STATE_BACKEND))
                .retainCheckpoints(true);
        if (restoreFrom != null) {
            flink.restoreFrom(restoreFrom);
        }
        StreamExecutionEnvironment env = flink.build().createEnvironment();
        KafkaWiring.wire(env, conf);
        JobExecutionResult result = env.execute("alphaflow matting");
        System.out.printf("job finished in %.1f s%n", result.getNetRuntime() / 1000.0);
        return 0;
    }
}
