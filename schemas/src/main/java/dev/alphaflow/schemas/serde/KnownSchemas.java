package dev.alphaflow.schemas.serde;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import org.apache.avro.Schema;
import org.apache.avro.message.SchemaStore;

import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.Instances;
import dev.alphaflow.schemas.Matte;
import dev.alphaflow.schemas.OpticalFlow;
import dev.alphaflow.schemas.Segmentation;

/**
 * The writer schemas a reader can resolve by fingerprint: the current version of every record plus
 * earlier and later versions listed in {@code dev/alphaflow/schemas/history/INDEX} on the classpath.
 * When a schema evolves, put the previous version's .avsc in that folder so that records still in
 * Kafka stay readable (and add new versions there so that old readers can read them).
 */
public final class KnownSchemas {
    private static final String HISTORY = "dev/alphaflow/schemas/history/";
    private static volatile SchemaStore.Cache store;

    private KnownSchemas() {}

    public static SchemaStore store() {
        SchemaStore.Cache s = store;
        if (s == null) {
            synchronized (KnownSchemas.class) {
                if (store == null) {
                    store = build();
                }
                s = store;
            }
        }
        return s;
    }

    private static SchemaStore.Cache build() {
        SchemaStore.Cache cache = new SchemaStore.Cache();
        cache.addSchema(Frame.getClassSchema());
        cache.addSchema(Matte.getClassSchema());
        cache.addSchema(DeadLetter.getClassSchema());
        cache.addSchema(Segmentation.getClassSchema());
        cache.addSchema(Instances.getClassSchema());
        cache.addSchema(OpticalFlow.getClassSchema());
        ClassLoader loader = KnownSchemas.class.getClassLoader();
        try (InputStream index = loader.getResourceAsStream(HISTORY + "INDEX")) {
            if (index == null) {
                return cache;
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(index, StandardCharsets.UTF_8));
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                String name = line.strip();
                if (name.isEmpty() || name.startsWith("#")) {
                    continue;
                }
                try (InputStream avsc = loader.getResourceAsStream(HISTORY + name)) {
                    if (avsc == null) {
                        throw new IllegalStateException("schema history lists " + name + " but " + HISTORY + name + " is missing");
                    }
                    cache.addSchema(new Schema.Parser().parse(avsc));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the schema history in " + HISTORY, e);
        }
        return cache;
    }
}
