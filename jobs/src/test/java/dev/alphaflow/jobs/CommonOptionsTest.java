package dev.alphaflow.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.ThreadSpinning;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** The {@code alphaflow.ort.*} options become the ONNX Runtime session settings of the model operators. */
class CommonOptionsTest {

    @Test
    void replayDefaultsNeverSpinWithStaticBlocks() {
        SessionSettings s = CommonOptions.sessionSettings(new Configuration());
        assertThat(s.spinning()).isEqualTo(ThreadSpinning.NEVER);
        assertThat(s.dynamicBlockBase()).isZero();
        // left to the operator: the TaskManager's cores, read when the session opens there
        assertThat(s.intraOpThreads()).isEqualTo(SessionSettings.CORES_OF_THE_MACHINE);
        assertThat(s.resolvedIntraOpThreads()).isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    @Test
    void liveDeliverySpinsDuringRunsUnlessSet() {
        Configuration live = Configuration.fromMap(Map.of("alphaflow.delivery", "AT_LEAST_ONCE"));
        assertThat(CommonOptions.sessionSettings(live).spinning()).isEqualTo(ThreadSpinning.DURING_RUN);
        Configuration liveSet = Configuration.fromMap(Map.of("alphaflow.delivery", "AT_LEAST_ONCE",
                "alphaflow.ort.spinning", "never"));
        assertThat(CommonOptions.sessionSettings(liveSet).spinning()).isEqualTo(ThreadSpinning.NEVER);
    }

    @Test
    void ortOptionsAreMapped() {
        // as a flink-conf file or -D flags give them: strings
        Configuration conf = Configuration.fromMap(Map.of("alphaflow.ort.intra-op-threads", "3",
                "alphaflow.ort.spinning", "during-run", "alphaflow.ort.dynamic-block-base", "4"));
        SessionSettings s = CommonOptions.sessionSettings(conf);
        assertThat(s.intraOpThreads()).isEqualTo(3);
        assertThat(s.spinning()).isEqualTo(ThreadSpinning.DURING_RUN);
        assertThat(s.dynamicBlockBase()).isEqualTo(4);
    }

    @Test
    void negativeDynamicBlockBaseFailsAtStart() {
        Configuration conf = Configuration.fromMap(Map.of("alphaflow.ort.dynamic-block-base", "-2"));
        assertThatThrownBy(() -> CommonOptions.sessionSettings(conf))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("alphaflow.ort.dynamic-block-base: must be 0 (off) or more, got -2");
    }

    @Test
    void zeroThreadsIsRefusedNamingTheKey() {
        Configuration conf = Configuration.fromMap(Map.of("alphaflow.ort.intra-op-threads", "0"));
        assertThatThrownBy(() -> CommonOptions.sessionSettings(conf))
                .isInstanceOfSatisfying(InvalidOptionException.class,
                        e -> assertThat(e.key()).isEqualTo("alphaflow.ort.intra-op-threads"));
    }

    @Test
    void kafkaPropertiesArePassedWithoutThePrefix() {
        Configuration conf = Configuration.fromMap(Map.of(
                "alphaflow.kafka.properties.security.protocol", "SASL_SSL",
                "alphaflow.kafka.properties.sasl.mechanism", "SCRAM-SHA-512",
                "alphaflow.kafka.bootstrap-servers", "k:9092"));
        assertThat(CommonOptions.kafkaProperties(conf)).containsOnly(
                Map.entry("security.protocol", "SASL_SSL"), Map.entry("sasl.mechanism", "SCRAM-SHA-512"));
    }

    @Test
    void eachJobHasItsOwnGroupUnlessOneIsSet() {
        JobIdentity job = new JobIdentity("x", "alphaflow-x");
        assertThat(job.groupId(new Configuration())).isEqualTo("alphaflow-x");
        assertThat(job.transactionalIdPrefix(new Configuration())).isEqualTo("alphaflow-x");
        Configuration set = Configuration.fromMap(Map.of("alphaflow.kafka.group-id", "g",
                "alphaflow.kafka.transactional-id-prefix", "t"));
        assertThat(job.groupId(set)).isEqualTo("g");
        assertThat(job.transactionalIdPrefix(set)).isEqualTo("t");
    }

    @Test
    void aTransactionTimeoutAboveTheBrokersMaximumIsRefused() {
        Configuration conf = Configuration.fromMap(Map.of("alphaflow.kafka.transaction-timeout", "20 min"));
        assertThatThrownBy(() -> CommonOptions.checkKafka(conf)).isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("alphaflow.kafka.transaction-timeout");
    }
}
