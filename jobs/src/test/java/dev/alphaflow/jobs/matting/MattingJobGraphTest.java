package dev.alphaflow.jobs.matting;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

import dev.alphaflow.jobs.testutils.SharedData;
import dev.alphaflow.operators.OperatorTypes;
import dev.alphaflow.operators.decode.RawFrameRecord;

/** The shape of the matting job's graph where it matters for throughput and latency. */
class MattingJobGraphTest {

    @Test
    void decodedFramesAreFlushedToTheKeyedOperatorsRecordByRecord() {
        Configuration conf = new Configuration();
        conf.set(MattingJobOptions.MODEL_DIR, SharedData.dir().resolve("models").toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        MattingJob.Outputs outputs = MattingJob.fromConfiguration(conf)
                .build(env.fromData(OperatorTypes.RAW_FRAME_RECORD,
                        new RawFrameRecord("frames", 0, 0, 0L, new byte[0], new byte[0])));
        outputs.mattes().print();

        StreamGraph graph = env.getStreamGraph();
        StreamNode decode = node(graph, "decode and validate");
        StreamNode sequencer = node(graph, "sequencer");
        // A decoded frame crosses the keyBy whole: no waiting for the output flusher (100 ms by default).
        assertThat(decode.getBufferTimeout()).isZero();
        assertThat(graph.getStreamEdges(decode.getId(), sequencer.getId())).hasSize(1);
        assertThat(sequencer.getBufferTimeout()).isNotZero();
    }

    private static StreamNode node(StreamGraph graph, String name) {
        return graph.getStreamNodes().stream().filter(n -> n.getOperatorName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no operator named '" + name + "' in "
                        + graph.getStreamNodes().stream().map(StreamNode::getOperatorName).toList()));
    }
}
