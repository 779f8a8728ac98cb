package dev.alphaflow.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process-wide, reference-counted ONNX Runtime sessions: every task in a JVM that opens the same model file with the
 * same settings shares one {@link OrtSession} (and its weights in memory). {@link OrtSession#run} is thread-safe,
 * so sharing is safe.
 *
 * <pre>{@code
 * try (SharedSession handle = SharedSessions.acquire(registry, ModelCards.RVM_MOBILENETV3, settings)) {
 *   OrtSession session = handle.session();
 *   ...
 * } // the session closes when the last handle does
 * }</pre>
 *
 * <p>The first acquire for a key (absolute file path + sha256 + settings) checks the file's hash, opens the session
 * and checks the model's inputs and outputs against the card; later acquires reuse the open session.
 */
public final class SharedSessions {

  private static final Logger LOG = LoggerFactory.getLogger(SharedSessions.class);

  private static final Object LOCK = new Object();
  private static final Map<Key, Entry> OPEN = new HashMap<>();

  private SharedSessions() {}

  /** Opens (or reuses) the session for a card's file under the registry's directory. Close the handle when done. */
  public static SharedSession acquire(ModelRegistry registry, ModelCard card, SessionSettings settings) {
    Path file = registry.resolve(card);
    Key key = new Key(file.toAbsolutePath().normalize().toString(), card.sha256(), settings);
    // One lock for all keys: opening a session is rare (task start) and must not race with the last close.
    synchronized (LOCK) {
      Entry entry = OPEN.get(key);
      if (entry == null) {
        entry = open(registry, card, file, settings, key);
        OPEN.put(key, entry);
      } else if (!entry.card.equals(card)) {
        // Same file, another card (e.g. another id): its contract must hold too.
        checkContract(card, entry.session);
      }
      entry.refs++;
      return new SharedSession(entry, card);
    }
  }

  /** Number of distinct OrtSessions open in this JVM. */
  public static int openSessionCount() {
    synchronized (LOCK) {
      return OPEN.size();
    }
  }

  static void release(Entry entry) {
    synchronized (LOCK) {
      entry.refs--;
      if (entry.refs > 0) {
        return;
      }
      OPEN.remove(entry.key);
    }
    try {
      entry.session.close();
      LOG.debug("closed session for model {} ({})", entry.card.id(), entry.modelPath);
    } catch (OrtException e) {
      throw new IllegalStateException("model " + entry.card.id() + ": closing its ONNX Runtime session failed", e);
    }
  }

  private static Entry open(ModelRegistry registry, ModelCard card, Path file, SessionSettings settings, Key key) {
    registry.verify(card, file);
    long start = System.nanoTime();
    OrtSession session;
    ExecutionProvider provider;
    SessionSettings.Prepared prepared = settings.prepare(card);
    try (OrtSession.SessionOptions options = prepared.options()) {
      session = OrtRuntime.environment().createSession(file.toString(), options);
      provider = prepared.provider();
    } catch (OrtException e) {
      throw new ModelLoadException("model " + card.id() + ": ONNX Runtime cannot open " + file + " with " + settings
          + ": " + e.getMessage() + ". Check that the file is a complete ONNX model (its sha256 matched the card).",
          e);
    }
    try {
      checkContract(card, session);
    } catch (RuntimeException e) {
      closeQuietly(session, e);
      throw e;
    }
    LOG.info("opened model {} ({}) on {} in {} ms", card.id(), file, provider,
        (System.nanoTime() - start) / 1_000_000);
    return new Entry(key, session, card, settings, provider, file);
  }

  private static void closeQuietly(OrtSession session, RuntimeException primary) {
    try {
      session.close();
    } catch (OrtException e) {
      primary.addSuppressed(e);
    }
  }

  /** Fails with every difference between the card's I/O contract and the model's. */
  static void checkContract(ModelCard card, OrtSession session) {
    List<String> problems = new ArrayList<>();
    try {
      compare(card, "input", card.inputs(), session.getInputInfo(), true, problems);
      compare(card, "output", card.outputs(), session.getOutputInfo(), false, problems);
    } catch (OrtException e) {
      throw new ModelLoadException("model " + card.id() + ": cannot read the model's inputs/outputs: "
          + e.getMessage(), e);
    }
    if (!problems.isEmpty()) {
      throw new ModelLoadException(String.join("; ", problems) + ". The model file does not match card '"
          + card.id() + "': use the file the card describes, or fix the card's inputs/outputs.");
    }
  }

  private static void compare(ModelCard card, String kind, List<TensorSpec> expected, Map<String, NodeInfo> actual,
      boolean reportUnlisted, List<String> problems) {
    if (expected.isEmpty()) {
      return; // the card declares no contract on this side
    }
    for (TensorSpec spec : expected) {
      NodeInfo node = actual.get(spec.name());
      String prefix = "model " + card.id() + ": " + kind + " '" + spec.name() + "'";
      if (node == null) {
        problems.add(prefix + " is missing (the model's " + kind + "s are " + actual.keySet() + ")");
        continue;
      }
      if (!(node.getInfo() instanceof TensorInfo info)) {
        problems.add(prefix + " is not a tensor (" + node.getInfo() + "), expected " + spec.type()
            + TensorSpec.formatShape(spec.shape()));
        continue;
      }
      ElementType type = ElementType.fromOrt(info.onnxType);
      if (type != spec.type()) {
        problems.add(prefix + " has element type " + type + " (" + info.onnxType + "), expected " + spec.type());
      }
      long[] shape = info.getShape();
      if (!shapeMatches(spec.shape(), shape)) {
        problems.add(prefix + " has shape " + TensorSpec.formatShape(shape) + ", expected "
            + TensorSpec.formatShape(spec.shape()) + " (? = any size)");
      }
    }
    if (reportUnlisted) {
      for (String name : actual.keySet()) {
        if (expected.stream().noneMatch(s -> s.name().equals(name))) {
          problems.add("model " + card.id() + ": the model needs " + kind + " '" + name
              + "', which the card does not list");
        }
      }
    }
  }

  /** Same rank, and every dimension that both sides fix is equal; a symbolic dimension on either side matches. */
  static boolean shapeMatches(long[] expected, long[] actual) {
    if (expected.length != actual.length) {
      return false;
    }
    for (int i = 0; i < expected.length; i++) {
      if (expected[i] >= 0 && actual[i] >= 0 && expected[i] != actual[i]) {
        return false;
      }
    }
    return true;
  }

  private record Key(String absolutePath, String sha256, SessionSettings settings) {}

  static final class Entry {
    final Key key;
    final OrtSession session;
    final ModelCard card;
    final SessionSettings settings;
    final ExecutionProvider provider;
    final Path modelPath;
    int refs; // guarded by LOCK

    Entry(Key key, OrtSession session, ModelCard card, SessionSettings settings, ExecutionProvider provider,
        Path modelPath) {
      this.key = key;
      this.session = session;
      this.card = card;
      this.settings = settings;
      this.provider = provider;
      this.modelPath = modelPath;
    }
  }
}
