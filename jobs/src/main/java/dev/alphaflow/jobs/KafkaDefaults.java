package dev.alphaflow.jobs;

/** Default topic names and record size limits shared by the jobs, the tools and the embedded broker. */
public final class KafkaDefaults {
    private KafkaDefaults() {}

    /** Encoded {@code Frame} records, key = stream id. */
    public static final String FRAMES_TOPIC = "alphaflow.frames";

    /** {@code Matte} records produced by the matting job. */
    public static final String MATTES_TOPIC = "alphaflow.mattes";

    /** {@code Segmentation} records produced by the video object segmentation job. */
    public static final String SEGMENTS_TOPIC = "alphaflow.segments";

    /** {@code Instances} records produced by the instance-segmentation job. */
    public static final String INSTANCES_TOPIC = "alphaflow.instances";

    /** {@code OpticalFlow} records (KITTI flow PNGs) produced by the flow job. */
    public static final String FLOW_TOPIC = "alphaflow.flow";

    /**
     * Writer schemas by fingerprint (key = 16 hex digits, value = the schema's JSON), compacted: producers register
     * the schema they write with before their first record, so readers of another version can resolve it.
     */
    public static final String SCHEMAS_TOPIC = "alphaflow.schemas";

    /** {@code DeadLetter} records: input the pipeline rejected. */
    public static final String DLQ_TOPIC = "alphaflow.dlq";

    /**
     * Largest record the tools produce or fetch, in bytes (16 MiB: a 4K RGB PNG fits). The embedded broker accepts
     * batches of this size; a real broker needs {@code message.max.bytes} at least this large for such frames.
     */
    public static final int MAX_RECORD_BYTES = 16 * 1024 * 1024;
}
