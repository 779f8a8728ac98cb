package dev.alphaflow.jobs.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.apache.flink.configuration.Configuration;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import dev.alphaflow.jobs.CommonOptions;
import dev.alphaflow.jobs.instances.InstancesJob;
import dev.alphaflow.jobs.instances.InstancesJobOptions;
import dev.alphaflow.operators.instances.InstancesSpec;

/**
 * {@code alphaflow instances}: the per-frame instance-segmentation job (YOLOv8n-seg by default) on a local Flink
 * MiniCluster against any Kafka cluster. Stateless per frame, so it runs beside the matting job on the same frames
 * topic (its own consumer group and transactional ids). To run it on a Flink cluster, submit the shaded jar with
 * {@code flink run -c dev.alphaflow.jobs.cli.FlinkEntryPoint alphaflow.jar --job instances}.
 */
@Command(name = "instances", mixinStandardHelpOptions = true,
        description = "Run the instance segmentation job: frames topic -> decode -> YOLO-seg -> instances topic (+ DLQ).")
final class InstancesCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Mixin
    EngineOptions engine;

    @Mixin
    LocalRunOptions local;

    @Option(names = "--instances-topic", paramLabel = "TOPIC", defaultValue = InstancesJobOptions.DEFAULT_INSTANCES_TOPIC,
            description = "Topic the Instances records are written to (default: ${DEFAULT-VALUE}).")
    String instancesTopic;

    @Option(names = "--model-dir", paramLabel = "DIR",
            description = "Folder with the model files named by the model cards (default: $ALPHAFLOW_MODEL_DIR, "
                    + "else <shared>/models).")
    Path modelDir;

    @Option(names = "--model", paramLabel = "ID", defaultValue = "yolov8n-seg",
            description = "Model card id of the instance segmentation model (default: ${DEFAULT-VALUE}).")
    String modelId;

    @Option(names = "--classes", paramLabel = "CLASS", split = ",",
            description = "Classes to keep, by name or id, comma-separated (e.g. --classes person,'sports ball'); "
                    + "default: all. Unknown names fail at start with the model's class list.")
    List<String> classes = new ArrayList<>();

    @Option(names = "--score-threshold", paramLabel = "S", defaultValue = "0.25",
            description = "Minimum instance score in [0, 1) (default: ${DEFAULT-VALUE}).")
    float scoreThreshold;

    @Option(names = "--nms", paramLabel = "KIND", defaultValue = "nms",
            description = "Duplicate suppression: nms (class-aware, on boxes) or matrix (matrix NMS, on masks) "
                    + "(default: ${DEFAULT-VALUE}).")
    String nms;

    @Option(names = "--max-instances", paramLabel = "N", defaultValue = "100",
            description = "At most N instances per frame (default: ${DEFAULT-VALUE}).")
    int maxInstances;

    /** The job configuration these flags describe (named flags first, then every -D). */
    Configuration toConfiguration() {
        Configuration conf = new Configuration();
        kafka.applyTo(conf);
        conf.set(InstancesJobOptions.INSTANCES_TOPIC, instancesTopic);
        conf.set(CommonOptions.MODEL_DIR, SharedPaths.modelDir(modelDir).toString());
        conf.set(InstancesSpec.MODEL_ID, modelId);
        conf.set(InstancesSpec.CLASSES, String.join(",", classes));
        conf.set(InstancesSpec.SCORE_THRESHOLD, scoreThreshold);
        conf.set(InstancesSpec.NMS, nms);
        conf.set(InstancesSpec.MAX_INSTANCES, maxInstances);
        engine.applyTo(conf);
        local.applyTo(conf);
        engine.applyExtra(conf);
        return conf;
    }

    @Override
    public Integer call() throws Exception {
        Configuration conf = toConfiguration();
        InstancesJob job = InstancesJob.fromConfiguration(conf); // bad options fail here, before anything starts
        local.run(job, kafka, engine);
        return 0;
    }
}
