package dev.alphaflow.jobs.instances;

import java.util.Objects;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import dev.alphaflow.jobs.CommonOptions;
import dev.alphaflow.jobs.FlinkArguments;
import dev.alphaflow.jobs.FrameIngest;
import dev.alphaflow.jobs.JobIdentity;
import dev.alphaflow.jobs.KafkaJob;
import dev.alphaflow.jobs.KafkaWiring;
import dev.alphaflow.operators.decode.DecodeLimits;
import dev.alphaflow.operators.decode.RawFrameRecord;
import dev.alphaflow.operators.instances.InstancesFunction;
import dev.alphaflow.operators.instances.InstancesSpec;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.Instances;
import dev.alphaflow.schemas.serde.KafkaSchemaStore;

/**
 * The instance-segmentation job graph: raw frame records → decode and validate → per-frame instance segmentation
 * (stateless: no keyBy, no sequencer, chained to the decoder at the source's parallelism) → {@code Instances}
 * records, plus the dead letters of both stages.
 *
 * <p>Like the other jobs, the graph takes its input stream and returns its outputs ({@link #build}); {@link #wire}
 * connects it to Kafka:
 *
 * <pre>{@code
 * InstancesJob job = InstancesJob.fromConfiguration(conf);   // bad options fail here
 * job.checkModels();                                         // a missing model or unknown class fails here
 * job.wire(env);                                             // frames topic -> instances topic + DLQ
 * }</pre>
 *
 * <p>Without a sequencer, a frame delivered twice (a producer retry) is segmented twice; the records carry
 * (streamId, seq) for consumers to de-duplicate, as the at-least-once matte records do. On a Flink cluster:
 * {@code flink run -c dev.alphaflow.jobs.instances.InstancesJob alphaflow.jar key=value ...}.
 */
public final class InstancesJob extends KafkaJob<InstancesJob.Outputs> {
    /** Consumer group and transactional-id prefix {@code alphaflow-instances} unless configured. */
    public static final JobIdentity IDENTITY = new JobIdentity("instances", "alphaflow-instances");

    private final InstancesSpec spec;
    private final DecodeLimits decodeLimits;

    public InstancesJob(InstancesSpec spec, DecodeLimits decodeLimits) {
        this(spec, decodeLimits, new Configuration());
    }

    private InstancesJob(InstancesSpec spec, DecodeLimits decodeLimits, Configuration conf) {
        super(IDENTITY, InstancesJobOptions.INSTANCES_TOPIC, conf);
        this.spec = Objects.requireNonNull(spec, "spec");
        this.decodeLimits = Objects.requireNonNull(decodeLimits, "decodeLimits");
    }

    /**
     * Reads the model and filters from the {@code alphaflow.instances.*} options, the model folder and ONNX Runtime
     * settings from the shared ones ({@code alphaflow.model.dir}, {@code alphaflow.ort.*}), and the decode limits
     * from {@code alphaflow.decode.*}.
     *
     * @throws dev.alphaflow.jobs.InvalidOptionException naming the first option the job cannot run with
     */
    public static InstancesJob fromConfiguration(Configuration conf) {
        CommonOptions.checkKafka(conf);
        FrameIngest.checkOptions(conf);
        InstancesJobOptions.check(conf);
        InstancesSpec spec = InstancesSpec.fromConfig(conf, conf.get(CommonOptions.MODEL_DIR),
                CommonOptions.sessionSettings(conf));
        return new InstancesJob(spec, DecodeLimits.fromConfig(conf), conf);
    }

    /** {@code flink run -c dev.alphaflow.jobs.instances.InstancesJob alphaflow.jar key=value ...}. */
    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        fromConfiguration(FlinkArguments.parse(args)).wire(env);
        env.execute("alphaflow instances");
    }

    public InstancesSpec spec() {
        return spec;
    }

    public DecodeLimits decodeLimits() {
        return decodeLimits;
    }

    @Override
    public void checkModels() {
        spec.check();
    }

    /** What the graph produces. */
    public record Outputs(DataStream<Instances> instances, DataStream<DeadLetter> deadLetters) {}

    /** The graph reading only Frames of the schemas this build knows (tests with bounded sources). */
    public Outputs build(DataStream<RawFrameRecord> rawFrames) {
        return build(rawFrames, null);
    }

    /**
     * The graph; {@code writerSchemas} is where Frames written with another schema version find their writer's
     * schema ({@link CommonOptions#schemaStore}), null for none.
     */
    public Outputs build(DataStream<RawFrameRecord> rawFrames, KafkaSchemaStore.Settings writerSchemas) {
        FrameIngest.Decoded decoded = FrameIngest.decode(rawFrames, decodeLimits, writerSchemas);
        SingleOutputStreamOperator<Instances> instances = decoded.frames()
                .process(new InstancesFunction(spec), InstancesFunction.OUTPUT_TYPE)
                .name(spec.card().id()).uid("instances");
        DataStream<DeadLetter> deadLetters = decoded.deadLetters()
                .union(instances.getSideOutput(InstancesFunction.DEAD_LETTERS));
        return new Outputs(instances, deadLetters);
    }

    @Override
    public Outputs wire(Configuration conf, DataStream<RawFrameRecord> rawFrames) {
        Outputs outputs = build(rawFrames, CommonOptions.schemaStore(conf));
        KafkaWiring.sinkOutputs(outputs.instances(), outputs.deadLetters(), conf, IDENTITY, "instances", Instances.class,
                outputTopic(conf), Instances::getStreamId, Instances::getSeq,
                Instances::getEventTimeMs);
        return outputs;
    }
}
