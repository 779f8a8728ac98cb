package dev.alphaflow.jobs.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import dev.alphaflow.jobs.matting.KafkaWiring;

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

    @Mixin
    LocalRunOptions local;

    @Override
    public Integer call() throws Exception {
        Configuration conf = job.toConfiguration(kafka, SharedPaths.modelDir());
        local.applyTo(conf);
        StreamExecutionEnvironment env = local.localFlink(job.engine, conf, Path.of("alphaflow-state", "matting-checkpoints"))
                .createEnvironment();
        KafkaWiring.wire(env, conf);
        JobExecutionResult result = env.execute("alphaflow matting");
        System.out.printf("job finished in %.1f s%n", result.getNetRuntime() / 1000.0);
        return 0;
    }
}
