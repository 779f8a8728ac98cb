package dev.alphaflow.jobs.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.jobs.matting.KafkaWiring;
import dev.alphaflow.jobs.matting.MattingJobOptions;
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

    @Option(names = "--model-dir", paramLabel = "DIR",
            description = "Folder holding mobilenetv2/mobilenetv2_int8_features.onnx (default: $ALPHAFLOW_MODEL_DIR, "
                    + "else <shared>/models).")
    Path modelDir;

    @Option(names = "--bank-budget", paramLabel = "N",
            description = "Most feature-bank entries per object (default: the measured default, see BENCHMARKS.md).")
    Integer bankBudget;

    @Option(names = "--no-refine", description = "Skip the uncertain-region refinement (faster, lower boundary F).")
    boolean noRefine;

    @Option(names = "--track", paramLabel = "CLASSES",
            description = "Detect, then track: detections of these classes (comma-separated, e.g. person) start "
                    + "tracks without prompts, also for objects that appear later. Runs YOLOv8n-seg on every frame.")
    String trackClasses;

    @Option(names = "--evidence-weight", paramLabel = "W",
            description = "Let matching detections inform tracked masks on uncertain pixels with this weight in "
                    + "[0, 1] (0.5 measured best for prompted tracks; default 0 = off, or 1 with --track).")
    Float evidenceWeight;

    /** The job configuration these flags describe (named flags first, then every -D). */
    Configuration toConfiguration(Path defaultModelDir) {
        Configuration conf = new Configuration();
        conf.set(MattingJobOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        conf.set(MattingJobOptions.FRAMES_TOPIC, kafka.framesTopic());
        conf.set(MattingJobOptions.DEAD_LETTER_TOPIC, kafka.dlqTopic());
        conf.set(MattingJobOptions.SEGMENTS_TOPIC, segmentsTopic);
        conf.set(MattingJobOptions.GROUP_ID, "alphaflow-segmentation");
        conf.set(MattingJobOptions.TRANSACTIONAL_ID_PREFIX, "alphaflow-segmentation");
        Path models = modelDir != null ? modelDir : defaultModelDir;
        conf.set(MattingJobOptions.MODEL_DIR, models.toAbsolutePath().normalize().toString());
        engine.applyTo(conf);
        if (bankBudget != null) {
            conf.set(SegmentationJobOptions.BANK_BUDGET, bankBudget);
        }
        if (noRefine) {
            conf.set(SegmentationJobOptions.REFINE, false);
        }
        if (trackClasses != null) {
            conf.set(SegmentationJobOptions.TRACK_START_CLASSES, trackClasses);
            conf.set(SegmentationJobOptions.TRACK_EVIDENCE_WEIGHT, 1f); // measured best for started tracks
        }
        if (evidenceWeight != null) {
            conf.set(SegmentationJobOptions.TRACK_EVIDENCE_WEIGHT, evidenceWeight);
        }
        local.applyTo(conf);
        engine.applyExtra(conf);
        return conf;
    }

    @Override
    public Integer call() throws Exception {
        Configuration conf = toConfiguration(SharedPaths.modelDir());
        SegmentationJob job = SegmentationJob.fromConfiguration(conf); // bad options fail here, before the cluster
        job.spec().openSegmenter().close(); // so does a missing or mismatched model
        StreamExecutionEnvironment env = local.localFlink(engine, conf, Path.of("alphaflow-state", "segment-checkpoints"))
                .createEnvironment();
        KafkaWiring.wireSegmentation(env, conf, job);
        JobExecutionResult result = env.execute("alphaflow segment");
        System.out.printf("job finished in %.1f s%n", result.getNetRuntime() / 1000.0);
        return 0;
    }
}
