package dev.alphaflow.jobs.segmentation;

import java.util.Objects;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

import dev.alphaflow.jobs.FrameIngest;
import dev.alphaflow.jobs.matting.MattingJobOptions;
import dev.alphaflow.operators.decode.DecodeLimits;
import dev.alphaflow.operators.decode.RawFrameRecord;
import dev.alphaflow.operators.segmentation.SegmentationFunction;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.operators.instances.InstancesSpec;
import dev.alphaflow.operators.segmentation.SegmentationSpec;
import dev.alphaflow.operators.sequencer.SequencerOptions;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.Segmentation;

/**
 * The video object segmentation job graph: raw frame records → validate → keyBy(stream id) → decode pixels →
 * sequencer → segmentation with per-object feature banks in keyed state → segments, plus the dead letters of every stage
 * (including prompts that cannot be applied).
 *
 * <pre>{@code
 * SegmentationJob job = SegmentationJob.fromConfiguration(conf);
 * SegmentationJob.Outputs out = job.build(env.fromSource(KafkaWiring.frameSource(conf), noWatermarks(), "frames"));
 * out.segments().sinkTo(KafkaWiring.segmentSink(conf));
 * }</pre>
 */
public final class SegmentationJob {
    private final SegmentationSpec spec;
    private final DecodeLimits decodeLimits;
    private final SequencerOptions sequencerOptions;

    public SegmentationJob(SegmentationSpec spec, DecodeLimits decodeLimits, SequencerOptions sequencerOptions) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.decodeLimits = Objects.requireNonNull(decodeLimits, "decodeLimits");
        this.sequencerOptions = Objects.requireNonNull(sequencerOptions, "sequencerOptions");
    }

    /** Reads the model folder, ONNX Runtime settings and {@link SegmentationJobOptions} from {@code conf}. */
    public static SegmentationJob fromConfiguration(Configuration conf) {
        String modelDir = conf.get(MattingJobOptions.MODEL_DIR);
        SessionSettings sessionSettings = MattingJobOptions.sessionSettings(conf);
        SegmentationSpec.Builder spec = SegmentationSpec.builder()
                .modelDir(modelDir)
                .sessionSettings(sessionSettings)
                .vosOptions(SegmentationJobOptions.vosOptions(conf))
                .dropStartedTracksAfter(conf.get(SegmentationJobOptions.TRACK_DROP_AFTER));
        SegmentationJobOptions.tracking(conf).ifPresent(tracking ->
                spec.tracking(InstancesSpec.fromConfig(conf, modelDir, sessionSettings), tracking));
        return new SegmentationJob(spec.build(), DecodeLimits.fromConfig(conf), SequencerOptions.fromConfig(conf));
    }

    public SegmentationSpec spec() {
        return spec;
    }

    /** What the graph produces. */
    public record Outputs(DataStream<Segmentation> segments, DataStream<DeadLetter> deadLetters) {}

    public Outputs build(DataStream<RawFrameRecord> rawFrames) {
        FrameIngest.Sequenced sequenced = FrameIngest.sequence(rawFrames, decodeLimits, sequencerOptions);
        SingleOutputStreamOperator<Segmentation> segments = sequenced.frames()
                .process(new SegmentationFunction(spec), new AvroTypeInfo<>(Segmentation.class))
                .name("segmentation (" + spec.vosOptions().featureModel().id() + " feature banks)")
                .uid("segmentation");
        DataStream<DeadLetter> deadLetters = sequenced.deadLetters()
                .union(segments.getSideOutput(SegmentationFunction.DEAD_LETTERS));
        return new Outputs(segments, deadLetters);
    }
}
