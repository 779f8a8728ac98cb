package dev.alphaflow.jobs.matting;

import java.time.Duration;
import java.util.Objects;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import dev.alphaflow.jobs.CommonOptions;
import dev.alphaflow.jobs.FlinkArguments;
import dev.alphaflow.jobs.FrameIngest;
import dev.alphaflow.jobs.InvalidOptionException;
import dev.alphaflow.jobs.JobIdentity;
import dev.alphaflow.jobs.KafkaJob;
import dev.alphaflow.jobs.KafkaWiring;
import dev.alphaflow.model.ModelCard;
import dev.alphaflow.model.ModelCards;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.rvm.RvmOptions;
import dev.alphaflow.operators.OperatorTypes;
import dev.alphaflow.operators.decode.DecodeLimits;
import dev.alphaflow.operators.decode.RawFrameRecord;
import dev.alphaflow.operators.matting.BatchingMattingOperator;
import dev.alphaflow.operators.matting.MatteEncodingOperator;
import dev.alphaflow.operators.matting.MattedFrame;
import dev.alphaflow.operators.matting.MattingFunction;
import dev.alphaflow.operators.matting.MattingSpec;
import dev.alphaflow.operators.sequencer.SequencedFrame;
import dev.alphaflow.operators.sequencer.SequencerOptions;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.Matte;
import dev.alphaflow.schemas.serde.KafkaSchemaStore;

/**
 * The matting job graph: raw frame records → validate → keyBy(stream id) → decode pixels → sequencer →
 * RVM matting with per-stream recurrent state → PNG encoding (on its own thread, overlapping the next
 * frame's inference) → mattes, plus the dead letters of every stage.
 *
 * <p>The graph takes its input stream and returns its outputs, so that the same graph runs on Kafka
 * ({@link #wire}) and on whatever a test plugs in ({@link #build}):
 *
 * <pre>{@code
 * MattingJob job = MattingJob.fromConfiguration(conf);   // bad options fail here
 * job.checkModels();                                     // a missing model or GPU fails here
 * job.wire(env);                                         // frames topic -> mattes topic + DLQ
 * }</pre>
 *
 * <p>On a Flink cluster: {@code flink run -c dev.alphaflow.jobs.matting.MattingJob alphaflow.jar key=value ...}.
 */
public final class MattingJob extends KafkaJob<MattingJob.Outputs> {
    /** Consumer group and transactional-id prefix {@code alphaflow-matting} unless configured. */
    public static final JobIdentity IDENTITY = new JobIdentity("matting", "alphaflow-matting");

    /** Frames the async encoder holds at most (being encoded or waiting to leave in order). */
    static final int ENCODE_QUEUE = 4;

    private final MattingSpec mattingSpec;
    private final DecodeLimits decodeLimits;
    private final SequencerOptions sequencerOptions;
    private final int batchSize;
    private final Duration batchTimeout;
    private final boolean asyncEncode;

    /** A job that mattes one frame at a time (no cross-stream batching). */
    public MattingJob(MattingSpec mattingSpec, DecodeLimits decodeLimits, SequencerOptions sequencerOptions) {
        this(mattingSpec, decodeLimits, sequencerOptions, 1, Duration.ZERO);
    }

    /**
     * @param batchSize frames of different streams per model run (1 = no batching)
     * @param batchTimeout longest a frame waits for its batch to fill
     */
    public MattingJob(MattingSpec mattingSpec, DecodeLimits decodeLimits, SequencerOptions sequencerOptions,
            int batchSize, Duration batchTimeout) {
        this(mattingSpec, decodeLimits, sequencerOptions, batchSize, batchTimeout,
                MattingJobOptions.ASYNC_ENCODE.defaultValue());
    }

    /**
     * @param asyncEncode encode the PNGs on a thread of their own ({@link MatteEncodingOperator}), overlapping the next
     *     frame's inference; false encodes them in the matting task
     */
    public MattingJob(MattingSpec mattingSpec, DecodeLimits decodeLimits, SequencerOptions sequencerOptions,
            int batchSize, Duration batchTimeout, boolean asyncEncode) {
        this(mattingSpec, decodeLimits, sequencerOptions, batchSize, batchTimeout, asyncEncode, new Configuration());
    }

    private MattingJob(MattingSpec mattingSpec, DecodeLimits decodeLimits, SequencerOptions sequencerOptions,
            int batchSize, Duration batchTimeout, boolean asyncEncode, Configuration conf) {
        super(IDENTITY, MattingJobOptions.MATTES_TOPIC, conf);
        this.asyncEncode = asyncEncode;
        this.mattingSpec = Objects.requireNonNull(mattingSpec, "mattingSpec");
        this.decodeLimits = Objects.requireNonNull(decodeLimits, "decodeLimits");
        this.sequencerOptions = Objects.requireNonNull(sequencerOptions, "sequencerOptions");
        if (batchSize < 1) {
            throw new IllegalArgumentException(MattingJobOptions.BATCH_SIZE.key() + " must be at least 1: " + batchSize);
        }
        this.batchSize = batchSize;
        this.batchTimeout = Objects.requireNonNull(batchTimeout, "batchTimeout");
    }

    /**
     * Reads the model, limits and sequencer settings from {@link MattingJobOptions}, {@link CommonOptions} and the
     * operators' options.
     *
     * @throws InvalidOptionException naming the first option whose value the job cannot run with
     */
    public static MattingJob fromConfiguration(Configuration conf) {
        CommonOptions.checkKafka(conf);
        FrameIngest.checkOptions(conf);
        conf.getOptional(MattingJobOptions.DOWNSAMPLE_RATIO).ifPresent(r -> InvalidOptionException.check(
                r > 0 && r <= 1, MattingJobOptions.DOWNSAMPLE_RATIO, "must be in (0, 1], got %s", r));
        int longSide = conf.get(MattingJobOptions.MAX_DOWNSAMPLED_LONG_SIDE);
        InvalidOptionException.check(longSide >= 32, MattingJobOptions.MAX_DOWNSAMPLED_LONG_SIDE,
                "must be at least 32 pixels, got %d", longSide);
        int batchSize = conf.get(MattingJobOptions.BATCH_SIZE);
        InvalidOptionException.check(batchSize >= 1, MattingJobOptions.BATCH_SIZE, "must be at least 1, got %d",
                batchSize);
        InvalidOptionException.check(!conf.get(MattingJobOptions.BATCH_TIMEOUT).isNegative(),
                MattingJobOptions.BATCH_TIMEOUT, "must not be negative, got %s", conf.get(MattingJobOptions.BATCH_TIMEOUT));
        ModelCard card;
        try {
            card = ModelCards.byId(conf.get(MattingJobOptions.MODEL_ID));
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException(MattingJobOptions.MODEL_ID, e.getMessage());
        }
        SessionSettings session = CommonOptions.sessionSettings(conf);
        RvmOptions rvm = RvmOptions.builder()
                .downsampleRatio(conf.getOptional(MattingJobOptions.DOWNSAMPLE_RATIO).orElse(null))
                .maxDownsampledLongSide(conf.get(MattingJobOptions.MAX_DOWNSAMPLED_LONG_SIDE))
                .withForeground(conf.get(MattingJobOptions.WITH_FOREGROUND))
                .build();
        MattingSpec spec = MattingSpec.builder()
                .modelDir(conf.get(CommonOptions.MODEL_DIR))
                .card(card)
                .sessionSettings(session)
                .rvmOptions(rvm)
                .build();
        return new MattingJob(spec, DecodeLimits.fromConfig(conf), SequencerOptions.fromConfig(conf),
                batchSize, conf.get(MattingJobOptions.BATCH_TIMEOUT), conf.get(MattingJobOptions.ASYNC_ENCODE), conf);
    }

    /** {@code flink run -c dev.alphaflow.jobs.matting.MattingJob alphaflow.jar key=value ...}. */
    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        fromConfiguration(FlinkArguments.parse(args)).wire(env);
        env.execute("alphaflow matting");
    }

    @Override
    public void checkModels() {
        mattingSpec.openMatter().close();
    }

    @Override
    public Outputs wire(Configuration conf, DataStream<RawFrameRecord> rawFrames) {
        Outputs outputs = build(rawFrames, CommonOptions.schemaStore(conf));
        KafkaWiring.sinkOutputs(outputs.mattes(), outputs.deadLetters(), conf, IDENTITY, "mattes", Matte.class,
                outputTopic(conf), Matte::getStreamId, Matte::getSeq, Matte::getEventTimeMs);
        return outputs;
    }

    public MattingSpec mattingSpec() {
        return mattingSpec;
    }

    /** What the graph produces. */
    public record Outputs(DataStream<Matte> mattes, DataStream<DeadLetter> deadLetters) {}

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
        KeyedStream<SequencedFrame, String> byStream = sequenced.frames();
        String name = "matting (" + mattingSpec.card().id() + (batchSize > 1 ? ", batches of " + batchSize : "") + ")";
        SingleOutputStreamOperator<MattedFrame> matted = batchSize == 1
                ? byStream.process(new MattingFunction(mattingSpec), OperatorTypes.MATTED_FRAME)
                : byStream.transform(name, OperatorTypes.MATTED_FRAME,
                        new BatchingMattingOperator(mattingSpec, batchSize, batchTimeout.toMillis()));
        // Both share the state name and serializer, so a savepoint restores into either.
        matted.name(name).uid("matting");

        // PNG encoding, chained to the matting task. Async: on the encoder's thread, frame t is encoded while the
        // model runs frame t+1; mattes leave in order, and the queue is drained before every checkpoint barrier,
        // so exactly-once holds and the checkpoint holds no frames.
        String encodeName = "encode PNG";
        SingleOutputStreamOperator<Matte> mattes = asyncEncode
                ? matted.transform(encodeName, OperatorTypes.MATTE, MatteEncodingOperator.factory(ENCODE_QUEUE))
                : matted.map(MattedFrame::encode, OperatorTypes.MATTE);
        mattes.name(encodeName).uid("encode");

        DataStream<DeadLetter> deadLetters = sequenced.deadLetters()
                .union(matted.getSideOutput(MattingFunction.DEAD_LETTERS));
        return new Outputs(mattes, deadLetters);
    }
}
