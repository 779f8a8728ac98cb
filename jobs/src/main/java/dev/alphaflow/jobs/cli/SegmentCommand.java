package dev.alphaflow.jobs.cli;

import java.util.concurrent.Callable;

import org.apache.flink.configuration.Configuration;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.jobs.segmentation.SegmentationJob;
import dev.alphaflow.jobs.segmentation.SegmentationJobOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code alphaflow segment}: the video object segmentation job on a local Flink MiniCluster against any Kafka
 * cluster. Objects are started, corrected and removed by the prompts in the Frame records (a grayscale PNG mask per
 * object); masks go to the segments topic as COCO RLE, bad prompts to the DLQ.
 */
@Command(name = "segment", mixinStandardHelpOptions = true,
        description = "Run the video object segmentation job: frames topic (with prompts) -> decode -> sequencer -> "
                + "feature-bank segmentation -> segments topic (+ DLQ).")
final class SegmentCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Mixin
    EngineOptions engine;

    @Mixin
    LocalRunOptions local;

    @Option(names = "--segments-topic", paramLabel = "TOPIC", defaultValue = KafkaDefaults.SEGMENTS_TOPIC,
            description = "Topic the Segmentation records are written to (default: ${DEFAULT-VALUE}).")
    String segmentsTopic;

    @Mixin
    SegmentationFlags segmentation;

    @Option(names = "--track", paramLabel = "CLASSES",
            description = "Detect, then track: detections of these classes (comma-separated, e.g. person) start "
                    + "tracks without prompts, also for objects that appear later. Runs YOLOv8n-seg on every frame.")
    String trackClasses;

    /** The job configuration these flags describe (named flags first, then every -D). */
    Configuration toConfiguration() {
        Configuration conf = new Configuration();
        kafka.applyTo(conf);
        conf.set(SegmentationJobOptions.SEGMENTS_TOPIC, segmentsTopic);
        engine.applyTo(conf);
        segmentation.applyTo(conf, trackClasses);
        local.applyTo(conf);
        engine.applyExtra(conf);
        return conf;
    }

    @Override
    public Integer call() throws Exception {
        Configuration conf = toConfiguration();
        SegmentationJob job = SegmentationJob.fromConfiguration(conf); // bad options fail here, before anything starts
        local.run(job, kafka, engine);
        return 0;
    }
}
