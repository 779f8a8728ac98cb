package dev.alphaflow.operators.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.alphaflow.model.vos.FeatureBank;
import dev.alphaflow.model.vos.FeatureBankConfig;
import dev.alphaflow.model.vos.ReadoutKernel;

/**
 * Banks in a {@code MapState<Integer, FeatureBank>} (object id to bank) under keyed harnesses: a run that is
 * snapshotted and restored in the middle emits the same readouts and ends with the same banks as an uninterrupted
 * run, on the heap and on RocksDB.
 */
class FeatureBankStateTest {

    private static final FeatureBankConfig CONFIG = FeatureBankConfig.builder()
            .budget(24)
            .thresClose(0.8f)
            .valueMerge(FeatureBankConfig.ValueMerge.WEIGHTED_AVERAGE)
            .readoutKernel(ReadoutKernel.JAVA)
            .build();

    /** Per (stream, object, frame): reads the object's bank with that frame's keys, absorbs them, stores the bank. */
    static final class AbsorbFunction extends KeyedProcessFunction<String, Tuple2<Integer, Long>, String> {
        private transient MapState<Integer, FeatureBank> banks;

        @Override
        public void open(OpenContext context) {
            banks = getRuntimeContext().getMapState(
                    new MapStateDescriptor<>("banks", Types.INT, FeatureBankTypeInfo.INSTANCE));
        }

        @Override
        public void processElement(Tuple2<Integer, Long> in, Context ctx, Collector<String> out) throws Exception {
            int objectId = in.f0;
            long frame = in.f1;
            FeatureBank bank = banks.get(objectId);
            if (bank == null) {
                bank = new FeatureBank(4, 2, CONFIG);
            }
            Random random = new Random(ctx.getCurrentKey().hashCode() * 31L + objectId * 1_000_003L + frame);
            float[] readout = Banks.step(bank, random, frame, 10);
            banks.put(objectId, bank); // needed on RocksDB: the bank read from state is a copy
            out.collect(ctx.getCurrentKey() + "/" + objectId + "#" + frame + ":" + Arrays.hashCode(readout) + ":"
                    + digest(bank));
        }
    }

    /** Every bit of a bank's contents, hashed. */
    static String digest(FeatureBank bank) {
        long[] births = new long[bank.size()];
        int[] usages = new int[bank.size()];
        for (int i = 0; i < bank.size(); i++) {
            births[i] = bank.birthFrame(i);
            usages[i] = Float.floatToRawIntBits(bank.usage(i));
        }
        return bank.size() + "/" + Arrays.hashCode(bank.keys()) + "/" + Arrays.hashCode(bank.values()) + "/"
                + Arrays.hashCode(births) + "/" + Arrays.hashCode(usages);
    }

    enum Backend {
        HASHMAP {
            @Override
            StateBackend create() {
                return new HashMapStateBackend();
            }
        },
        ROCKSDB {
            @Override
            StateBackend create() {
                return new EmbeddedRocksDBStateBackend();
            }
        };

        abstract StateBackend create();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Tuple2<Integer, Long>, String> harness(
            StateBackend backend, OperatorSubtaskState restoreFrom) throws Exception {
        var harness = new KeyedOneInputStreamOperatorTestHarness<String, Tuple2<Integer, Long>, String>(
                new KeyedProcessOperator<>(new AbsorbFunction()), in -> "cam" + (in.f0 % 2), Types.STRING);
        harness.setStateBackend(backend);
        if (restoreFrom != null) {
            harness.initializeState(restoreFrom);
        }
        harness.open();
        return harness;
    }

    /** Objects 0..3 (streams cam0 and cam1) on frames from..to. */
    private static List<String> run(KeyedOneInputStreamOperatorTestHarness<String, Tuple2<Integer, Long>, String> h,
            int from, int to) throws Exception {
        for (long frame = from; frame <= to; frame++) {
            for (int objectId = 0; objectId < 4; objectId++) {
                h.processElement(Tuple2.of(objectId, frame), frame);
            }
        }
        List<String> out = new ArrayList<>(h.extractOutputValues());
        h.getOutput().clear();
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Backend.class)
    void aRestoredRunEqualsAnUninterruptedOne(Backend backend) throws Exception {
        List<String> uninterrupted;
        try (var h = harness(backend.create(), null)) {
            uninterrupted = run(h, 0, 19);
        }

        List<String> restored = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (var before = harness(backend.create(), null)) {
            restored.addAll(run(before, 0, 9));
            snapshot = before.snapshot(1, 1);
        }
        try (var after = harness(backend.create(), snapshot)) {
            restored.addAll(run(after, 10, 19));
        }

        assertThat(restored).isEqualTo(uninterrupted);
        assertThat(uninterrupted).hasSize(80);
        assertThat(uninterrupted.get(79)).contains(":" + CONFIG.budget() + "/"); // banks filled up and evicted
    }
}
