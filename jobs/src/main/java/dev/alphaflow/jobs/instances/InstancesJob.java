package dev.alphaflow.jobs.instances;

import java.util.Objects;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import dev.alphaflow.jobs.AlphaflowJob;
import dev.alphaflow.jobs.CommonOptions;
import dev.alphaflow.jobs.FlinkArguments;
import dev.alphaflow.jobs.FrameIngest;
import dev.alphaflow.jobs.JobIdentity;
import dev.alphaflow.jobs.KafkaWiring;
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
public final class InstancesJob implements AlphaflowJob {
    /** Consumer group and transactional-id prefix {@code alphaflow-instances} unless configured. */
    public static final JobIdentity IDENTITY = new JobIdentity("instances", "alphaflow-instances");

    private final InstancesSpec spec;
    private final DecodeLimits decodeLimits;
    private final Configuration conf;

    public InstancesJob(InstancesSpec spec, DecodeLimits decodeLimits) {
        this(spec, decodeLimits, new Configuration());
    }

    private InstancesJob(InstancesSpec spec, DecodeLimits decodeLimits, Configuration conf) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.decodeLimits = Objects.requireNonNull(decodeLimits, "decodeLimits");
        this.conf = new Configuration(conf);
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
    public JobIdentity identity() {
        return IDENTITY;
    }

    @Override
    public Configuration configuration() {
        return new Configuration(conf);
    }

    @Override
    public void checkModels() {
        spec.check();
    }

    @Override
    public String outputTopic() {
        return conf.get(InstancesJobOptions.INSTANCES_TOPIC);
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

    /** Frames from {@code alphaflow.topics.frames}, instances to {@link InstancesJobOptions#INSTANCES_TOPIC}, dead letters to the DLQ. */
    @Override
    public void wire(StreamExecutionEnvironment env) {
        wire(env, conf);
    }

    /** Adds the graph between the Kafka topics {@code conf} names (for graphs built from specs, as in tests). */
    public Outputs wire(StreamExecutionEnvironment env, Configuration conf) {
        return wire(conf, KafkaWiring.frames(env, conf, IDENTITY));
    }

    /** Adds the graph reading {@code rawFrames} and writing instances and dead letters to the Kafka topics {@code conf} names. */
    public Outputs wire(Configuration conf, DataStream<RawFrameRecord> rawFrames) {
        Outputs outputs = build(rawFrames);
        String topic = conf.get(InstancesJobOptions.INSTANCES_TOPIC);
        outputs.instances().sinkTo(KafkaWiring.sink(conf, IDENTITY, "instances", Instances.class, topic,
                Instances::getStreamId, Instances::getSeq)).name("instances: " + topic).uid("instances-sink");
        KafkaWiring.sinkDeadLetters(outputs.deadLetters(), conf, IDENTITY);
        return outputs;
    }
}
