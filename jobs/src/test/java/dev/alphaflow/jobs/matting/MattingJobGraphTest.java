package dev.alphaflow.jobs.matting;

import dev.alphaflow.jobs.CommonOptions;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.alphaflow.jobs.testutils.SharedData;
import dev.alphaflow.operators.OperatorTypes;
import dev.alphaflow.operators.decode.RawFrameRecord;

/** The shape of the matting job's graph where it matters for throughput and latency. */
class MattingJobGraphTest {
    private StreamGraph graph;

    @BeforeEach
    void buildGraph() {
        Configuration conf = new Configuration();
        conf.set(CommonOptions.MODEL_DIR, SharedData.dir().resolve("models").toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        MattingJob.Outputs outputs = MattingJob.fromConfiguration(conf)
                .build(env.fromData(OperatorTypes.RAW_FRAME_RECORD,
                        new RawFrameRecord("frames", 0, 0, 0L, new byte[0], new byte[0])));
        outputs.mattes().print();
        outputs.deadLetters().print();
        graph = env.getStreamGraph();
    }

    @Test
    void validatedFramesAreFlushedToTheKeyedOperatorsRecordByRecord() {
        StreamNode validate = node("validate");
        StreamNode decodePixels = node("decode pixels");
        // A frame crosses the keyBy as soon as it is written: no waiting for the output flusher (100 ms by default).
        assertThat(validate.getBufferTimeout()).isZero();
        assertThat(graph.getStreamEdges(validate.getId(), decodePixels.getId())).hasSize(1);
        assertThat(node("sequencer").getBufferTimeout()).isNotZero();
    }

    @Test
    void pixelsAreDecodedInTheTaskThatRunsTheModel() {
        List<String> taskNames = graph.getJobGraph().getVerticesSortedTopologicallyFromSources().stream()
                .map(JobVertex::getName).toList();
        // one task (one thread) decodes, sequences and runs the model, one frame after the other
        assertThat(taskNames).anySatisfy(name -> assertThat(name)
                .contains("decode pixels -> sequencer -> matting (rvm-mobilenetv3)"));
        assertThat(taskNames).noneSatisfy(name -> assertThat(name).contains("validate").contains("decode pixels"));
    }

    private StreamNode node(String name) {
        return graph.getStreamNodes().stream().filter(n -> n.getOperatorName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no operator named '" + name + "' in "
                        + graph.getStreamNodes().stream().map(StreamNode::getOperatorName).toList()));
    }
}
