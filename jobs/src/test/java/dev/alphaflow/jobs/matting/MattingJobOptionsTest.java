package dev.alphaflow.jobs.matting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.ThreadSpinning;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** The {@code alphaflow.ort.*} options become the ONNX Runtime session settings of the model operators. */
class MattingJobOptionsTest {

    @Test
    void replayDefaultsNeverSpinWithStaticBlocks() {
        SessionSettings s = MattingJobOptions.sessionSettings(new Configuration());
        assertThat(s.spinning()).isEqualTo(ThreadSpinning.NEVER);
        assertThat(s.dynamicBlockBase()).isZero();
        assertThat(s.intraOpThreads()).isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    @Test
    void liveDeliverySpinsDuringRunsUnlessSet() {
        Configuration live = Configuration.fromMap(Map.of("alphaflow.delivery", "AT_LEAST_ONCE"));
        assertThat(MattingJobOptions.sessionSettings(live).spinning()).isEqualTo(ThreadSpinning.DURING_RUN);
        Configuration liveSet = Configuration.fromMap(Map.of("alphaflow.delivery", "AT_LEAST_ONCE",
                "alphaflow.ort.spinning", "never"));
        assertThat(MattingJobOptions.sessionSettings(liveSet).spinning()).isEqualTo(ThreadSpinning.NEVER);
    }

    @Test
    void ortOptionsAreMapped() {
        // as a flink-conf file or -D flags give them: strings
        Configuration conf = Configuration.fromMap(Map.of("alphaflow.ort.intra-op-threads", "3",
                "alphaflow.ort.spinning", "during-run", "alphaflow.ort.dynamic-block-base", "4"));
        SessionSettings s = MattingJobOptions.sessionSettings(conf);
        assertThat(s.intraOpThreads()).isEqualTo(3);
        assertThat(s.spinning()).isEqualTo(ThreadSpinning.DURING_RUN);
        assertThat(s.dynamicBlockBase()).isEqualTo(4);
    }

    @Test
    void negativeDynamicBlockBaseFailsAtStart() {
        Configuration conf = Configuration.fromMap(Map.of("alphaflow.ort.dynamic-block-base", "-2"));
        assertThatThrownBy(() -> MattingJobOptions.sessionSettings(conf))
                .hasMessageContaining("dynamicBlockBase must be >= 0");
    }
}
