package dev.alphaflow.jobs.segmentation;

import java.util.Objects;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import dev.alphaflow.jobs.CommonOptions;
import dev.alphaflow.jobs.FlinkArguments;
import dev.alphaflow.jobs.FrameIngest;
import dev.alphaflow.jobs.JobIdentity;
import dev.alphaflow.jobs.KafkaJob;
import dev.alphaflow.jobs.KafkaWiring;
import dev.alphaflow.jobs.instances.InstancesJobOptions;
import dev.alphaflow.operators.decode.DecodeLimits;
import dev.alphaflow.operators.decode.RawFrameRecord;
import dev.alphaflow.operators.segmentation.SegmentationFunction;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.operators.instances.InstancesSpec;
import dev.alphaflow.operators.segmentation.SegmentationSpec;
import dev.alphaflow.operators.sequencer.SequencerOptions;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.Segmentation;
import dev.alphaflow.schemas.serde.KafkaSchemaStore;

/**
 * The video object segmentation job graph: raw frame records → validate → keyBy(stream id) → decode pixels →
 * sequencer → segmentation with per-object feature banks in keyed state → segments, plus the dead letters of every stage
 * (including prompts that cannot be applied).
 *
 * <pre>{@code
 * SegmentationJob job = SegmentationJob.fromConfiguration(conf);   // bad options fail here
 * job.checkModels();                                               // missing models fail here
 * job.wire(env);                                                   // frames topic -> segments topic + DLQ
 * }</pre>
 *
 * <p>On a Flink cluster: {@code flink run -c dev.alphaflow.jobs.segmentation.SegmentationJob alphaflow.jar key=value ...}.
 */
public final class SegmentationJob extends KafkaJob<SegmentationJob.Outputs> {
    /** Consumer group and transactional-id prefix {@code alphaflow-segmentation} unless configured. */
    public static final JobIdentity IDENTITY = new JobIdentity("segment", "alphaflow-segmentation");

    private final SegmentationSpec spec;
    private final DecodeLimits decodeLimits;
    private final SequencerOptions sequencerOptions;

    public SegmentationJob(SegmentationSpec spec, DecodeLimits decodeLimits, SequencerOptions sequencerOptions) {
        this(spec, decodeLimits, sequencerOptions, new Configuration());
    }

    private SegmentationJob(SegmentationSpec spec, DecodeLimits decodeLimits, SequencerOptions sequencerOptions,
            Configuration conf) {
        super(IDENTITY, SegmentationJobOptions.SEGMENTS_TOPIC, conf);
        this.spec = Objects.requireNonNull(spec, "spec");
        this.decodeLimits = Objects.requireNonNull(decodeLimits, "decodeLimits");
        this.sequencerOptions = Objects.requireNonNull(sequencerOptions, "sequencerOptions");
    }

    /**
     * Reads the model folder, ONNX Runtime settings and {@link SegmentationJobOptions} from {@code conf}.
     *
     * @throws dev.alphaflow.jobs.InvalidOptionException naming the first option the job cannot run with
     */
    public static SegmentationJob fromConfiguration(Configuration conf) {
        CommonOptions.checkKafka(conf);
        FrameIngest.checkOptions(conf);
        SegmentationJobOptions.check(conf);
        String modelDir = conf.get(CommonOptions.MODEL_DIR);
        SessionSettings sessionSettings = CommonOptions.sessionSettings(conf);
        SegmentationSpec.Builder spec = SegmentationSpec.builder()
                .modelDir(modelDir)
                .sessionSettings(sessionSettings)
                .vosOptions(SegmentationJobOptions.vosOptions(conf))
                .dropStartedTracksAfter(conf.get(SegmentationJobOptions.TRACK_DROP_AFTER));
        SegmentationJobOptions.tracking(conf).ifPresent(tracking -> {
            InstancesJobOptions.check(conf);
            spec.tracking(InstancesSpec.fromConfig(conf, modelDir, sessionSettings), tracking);
        });
        return new SegmentationJob(spec.build(), DecodeLimits.fromConfig(conf), SequencerOptions.fromConfig(conf),
                conf);
    }

    /** {@code flink run -c dev.alphaflow.jobs.segmentation.SegmentationJob alphaflow.jar key=value ...}. */
    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        fromConfiguration(FlinkArguments.parse(args)).wire(env);
        env.execute("alphaflow segment");
    }

    /** Opens and closes the feature model (and the detector when tracking is on). */
    @Override
    public void checkModels() {
        spec.openSegmenter().close();
        if (spec.detector() != null) {
            spec.openDetector().close();
        }
    }

    @Override
    public Outputs wire(Configuration conf, DataStream<RawFrameRecord> rawFrames) {
        Outputs outputs = build(rawFrames, CommonOptions.schemaStore(conf));
        KafkaWiring.sinkOutputs(outputs.segments(), outputs.deadLetters(), conf, IDENTITY, "segments", Segmentation.class,
                outputTopic(conf), Segmentation::getStreamId, Segmentation::getSeq,
                Segmentation::getEventTimeMs);
        return outputs;
    }

    public SegmentationSpec spec() {
        return spec;
    }

    /** What the graph produces. */
    public record Outputs(DataStream<Segmentation> segments, DataStream<DeadLetter> deadLetters) {}

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
        SingleOutputStreamOperator<Segmentation> segments = sequenced.frames()
                .process(new SegmentationFunction(spec), new AvroTypeInfo<>(Segmentation.class))
                .name("segmentation (" + spec.vosOptions().featureModel().id() + " feature banks)")
                .uid("segmentation");
        DataStream<DeadLetter> deadLetters = sequenced.deadLetters()
                .union(segments.getSideOutput(SegmentationFunction.DEAD_LETTERS));
        return new Outputs(segments, deadLetters);
    }
}
