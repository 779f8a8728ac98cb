package dev.alphaflow.jobs.cli;

import java.util.concurrent.Callable;

import org.apache.flink.configuration.Configuration;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import dev.alphaflow.jobs.matting.MattingJob;

/**
 * {@code alphaflow run}: the matting job on a local Flink MiniCluster (heap or RocksDB state as
 * {@code alphaflow.state.backend} says, file checkpoints) against any Kafka cluster. To run on a Flink cluster instead,
 * submit the shaded jar with {@code flink run -c dev.alphaflow.jobs.cli.FlinkEntryPoint alphaflow.jar --job matting}.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the matting job: frames topic -> decode -> sequencer -> RVM -> mattes topic (+ DLQ).")
final class RunCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Mixin
    MattingFlags matting;

    @Mixin
    LocalRunOptions local;

    /** The job configuration these flags describe (named flags first, then every -D). */
    Configuration toConfiguration() {
        Configuration conf = matting.toConfiguration(kafka);
        local.applyTo(conf);
        matting.engine.applyExtra(conf);
        return conf;
    }

    @Override
    public Integer call() throws Exception {
        Configuration conf = toConfiguration();
        MattingJob job = MattingJob.fromConfiguration(conf); // bad options fail here, before anything starts
        local.run(job, kafka, matting.engine);
        return 0;
    }
}
