package dev.alphaflow.jobs.instances;

import java.util.Objects;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import dev.alphaflow.jobs.FrameIngest;
import dev.alphaflow.jobs.matting.KafkaWiring;
import dev.alphaflow.jobs.matting.MattingJobOptions;
import dev.alphaflow.model.ExecutionProvider;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.operators.decode.DecodeLimits;
import dev.alphaflow.operators.decode.RawFrameRecord;
import dev.alphaflow.operators.instances.InstancesFunction;
import dev.alphaflow.operators.instances.InstancesSpec;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.Instances;

/**
 * The instance-segmentation job graph: raw frame records → decode and validate → per-frame instance segmentation
 * (stateless: no keyBy, no sequencer, chained to the decoder at the source's parallelism) → {@code Instances}
 * records, plus the dead letters of both stages.
 *
 * <p>Like {@link dev.alphaflow.jobs.matting.MattingJob}, the graph takes its input stream and returns its outputs;
 * {@link #wire} connects it to Kafka:
 *
 * <pre>{@code
 * InstancesJob job = InstancesJob.fromConfiguration(conf);
 * InstancesJob.Outputs out = InstancesJob.wire(env, conf, job);   // frames topic -> instances topic + DLQ
 * }</pre>
 *
 * <p>Without a sequencer, a frame delivered twice (a producer retry) is segmented twice; the records carry
 * (streamId, seq) for consumers to de-duplicate, as the at-least-once matte records do.
 */
public final class InstancesJob {
    private final InstancesSpec spec;
    private final DecodeLimits decodeLimits;

    public InstancesJob(InstancesSpec spec, DecodeLimits decodeLimits) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.decodeLimits = Objects.requireNonNull(decodeLimits, "decodeLimits");
    }

    /**
     * Reads the model and filters from the {@code alphaflow.instances.*} options, the model folder and ONNX Runtime
     * settings from the ones shared with the matting job ({@code alphaflow.model.dir}, {@code alphaflow.ort.*}), and
     * the decode limits from {@code alphaflow.decode.*}.
     */
    public static InstancesJob fromConfiguration(Configuration conf) {
        SessionSettings session = SessionSettings.builder()
                .intraOpThreads(conf.get(MattingJobOptions.INTRA_OP_THREADS))
                .interOpThreads(conf.get(MattingJobOptions.INTER_OP_THREADS))
                .executionProvider(ExecutionProvider.parse(conf.get(MattingJobOptions.EXECUTION_PROVIDER)))
                .allowCpuFallback(conf.get(MattingJobOptions.ALLOW_CPU_FALLBACK))
                .build();
        InstancesSpec spec = InstancesSpec.fromConfig(conf, conf.get(MattingJobOptions.MODEL_DIR), session);
        return new InstancesJob(spec, DecodeLimits.fromConfig(conf));
    }

    public InstancesSpec spec() {
        return spec;
    }

    public DecodeLimits decodeLimits() {
        return decodeLimits;
    }

    /** What the graph produces. */
    public record Outputs(DataStream<Instances> instances, DataStream<DeadLetter> deadLetters) {}

    public Outputs build(DataStream<RawFrameRecord> rawFrames) {
        FrameIngest.Decoded decoded = FrameIngest.decode(rawFrames, decodeLimits);
        SingleOutputStreamOperator<Instances> instances = decoded.frames()
                .process(new InstancesFunction(spec), InstancesFunction.OUTPUT_TYPE)
                .name("instances (" + spec.card().id() + ")").uid("instances");
        DataStream<DeadLetter> deadLetters = decoded.deadLetters()
                .union(instances.getSideOutput(InstancesFunction.DEAD_LETTERS));
        return new Outputs(instances, deadLetters);
    }

    /** Runs the job from {@code conf} between Kafka topics: what {@code alphaflow instances} submits. */
    public static Outputs wire(StreamExecutionEnvironment env, Configuration conf) {
        return wire(env, conf, fromConfiguration(conf));
    }

    /**
     * Runs the given graph between the Kafka topics named in {@code conf}: frames from {@code alphaflow.topics.frames},
     * instances to {@link InstancesJobOptions#INSTANCES_TOPIC}, dead letters to {@code alphaflow.topics.dlq}.
     */
    public static Outputs wire(StreamExecutionEnvironment env, Configuration conf, InstancesJob job) {
        Configuration kafka = withJobDefaults(conf);
        Outputs outputs = job.build(KafkaWiring.frames(env, kafka));
        String topic = kafka.get(InstancesJobOptions.INSTANCES_TOPIC);
        outputs.instances().sinkTo(KafkaWiring.instancesSink(kafka, topic)).name("instances: " + topic)
                .uid("instances-sink");
        KafkaWiring.sinkDeadLetters(outputs.deadLetters(), kafka);
        return outputs;
    }

    /**
     * A copy of {@code conf} whose consumer group and transactional-id prefix are
     * {@value InstancesJobOptions#DEFAULT_GROUP_AND_PREFIX} unless set: a matting job on the same cluster keeps its own.
     */
    public static Configuration withJobDefaults(Configuration conf) {
        Configuration out = new Configuration(conf);
        if (!conf.contains(MattingJobOptions.GROUP_ID)) {
            out.set(MattingJobOptions.GROUP_ID, InstancesJobOptions.DEFAULT_GROUP_AND_PREFIX);
        }
        if (!conf.contains(MattingJobOptions.TRANSACTIONAL_ID_PREFIX)) {
            out.set(MattingJobOptions.TRANSACTIONAL_ID_PREFIX, InstancesJobOptions.DEFAULT_GROUP_AND_PREFIX);
        }
        return out;
    }
}
