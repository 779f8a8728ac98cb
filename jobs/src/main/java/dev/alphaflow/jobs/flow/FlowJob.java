package dev.alphaflow.jobs.flow;

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
import dev.alphaflow.operators.flow.FlowFunction;
import dev.alphaflow.operators.flow.FlowSpec;
import dev.alphaflow.operators.sequencer.SequencerOptions;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.OpticalFlow;
import dev.alphaflow.schemas.serde.KafkaSchemaStore;

/**
 * The optical-flow job graph: raw frame records → validate → keyBy(stream id) → decode pixels → sequencer → dense
 * flow from each stream's previous frame (kept in keyed state) → {@code OpticalFlow} records with KITTI flow PNGs,
 * plus the dead letters of every stage.
 *
 * <pre>{@code
 * FlowJob job = FlowJob.fromConfiguration(conf);   // bad options fail here
 * job.wire(env);                                   // frames topic -> flow topic + DLQ
 * }</pre>
 *
 * <p>On a Flink cluster: {@code flink run -c dev.alphaflow.jobs.cli.FlinkEntryPoint alphaflow.jar --job flow
 * key=value ...}.
 */
public final class FlowJob extends KafkaJob<FlowJob.Outputs> {
    /** Consumer group and transactional-id prefix {@code alphaflow-flow} unless configured. */
    public static final JobIdentity IDENTITY = new JobIdentity("flow", "alphaflow-flow");

    private final FlowSpec spec;
    private final DecodeLimits decodeLimits;
    private final SequencerOptions sequencerOptions;

    public FlowJob(FlowSpec spec, DecodeLimits decodeLimits, SequencerOptions sequencerOptions) {
        this(spec, decodeLimits, sequencerOptions, new Configuration());
    }

    private FlowJob(FlowSpec spec, DecodeLimits decodeLimits, SequencerOptions sequencerOptions, Configuration conf) {
        super(IDENTITY, FlowJobOptions.FLOW_TOPIC, conf);
        this.spec = Objects.requireNonNull(spec, "spec");
        this.decodeLimits = Objects.requireNonNull(decodeLimits, "decodeLimits");
        this.sequencerOptions = Objects.requireNonNull(sequencerOptions, "sequencerOptions");
    }

    /**
     * Reads {@link FlowJobOptions}, the decode limits and the sequencer settings from {@code conf}.
     *
     * @throws dev.alphaflow.jobs.InvalidOptionException naming the first option the job cannot run with
     */
    public static FlowJob fromConfiguration(Configuration conf) {
        CommonOptions.checkKafka(conf);
        FrameIngest.checkOptions(conf);
        FlowJobOptions.check(conf);
        return new FlowJob(FlowSpec.fromConfig(conf), DecodeLimits.fromConfig(conf), SequencerOptions.fromConfig(conf),
                conf);
    }

    /** {@code flink run -c dev.alphaflow.jobs.flow.FlowJob alphaflow.jar key=value ...}. */
    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        fromConfiguration(FlinkArguments.parse(args)).wire(env);
        env.execute("alphaflow flow");
    }

    public FlowSpec spec() {
        return spec;
    }

    /** Opens and closes the estimator once, so that a missing native library fails before the job starts. */
    @Override
    public void checkModels() {
        spec.openEstimator().close();
    }

    /** What the graph produces. */
    public record Outputs(DataStream<OpticalFlow> flow, DataStream<DeadLetter> deadLetters) {}

    /** The graph reading only Frames of the schemas this build knows (tests with bounded sources). */
    public Outputs build(DataStream<RawFrameRecord> rawFrames) {
        return build(rawFrames, null);
    }

    /**
     * The graph; {@code writerSchemas} is where Frames written with another schema version find their writer's
     * schema ({@link CommonOptions#schemaStore}), null for none.
     */
    public Outputs build(DataStream<RawFrameRecord> rawFrames, KafkaSchemaStore.Settings writerSchemas) {
        FrameIngest.Sequenced sequenced = FrameIngest.sequence(rawFrames, decodeLimits, writerSchemas, sequencerOptions);
        SingleOutputStreamOperator<OpticalFlow> flow = sequenced.frames()
                .process(new FlowFunction(spec), FlowFunction.OUTPUT_TYPE)
                .name("flow (" + spec.estimatorName() + " " + spec.preset() + ")")
                .uid("flow");
        DataStream<DeadLetter> deadLetters = sequenced.deadLetters()
                .union(flow.getSideOutput(FlowFunction.DEAD_LETTERS));
        return new Outputs(flow, deadLetters);
    }

    @Override
    public Outputs wire(Configuration conf, DataStream<RawFrameRecord> rawFrames) {
        Outputs outputs = build(rawFrames, CommonOptions.schemaStore(conf));
        KafkaWiring.sinkOutputs(outputs.flow(), outputs.deadLetters(), conf, IDENTITY, "flow", OpticalFlow.class,
                outputTopic(conf), OpticalFlow::getStreamId, OpticalFlow::getSeq, OpticalFlow::getEventTimeMs);
        return outputs;
    }
}
