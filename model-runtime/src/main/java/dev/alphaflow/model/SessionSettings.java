package dev.alphaflow.model;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.Serializable;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How ONNX Runtime sessions are opened: threads, graph optimization, execution provider.
 *
 * <pre>{@code
 * SessionSettings settings = SessionSettings.builder()
 *     .executionProvider(ExecutionProvider.CUDA)
 *     .allowCpuFallback(true)   // run on the CPU (with a warning) where no GPU build is present
 *     .build();
 * }</pre>
 *
 * <p>Thread counts are always set explicitly: ONNX Runtime's own default depends on how it detects cores and can
 * end up at one thread inside containers.
 */
public final class SessionSettings implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(SessionSettings.class);
  // ONNX Runtime session config key (onnxruntime_session_options_config_keys.h), since 1.11.
  static final String DYNAMIC_BLOCK_BASE = "session.dynamic_block_base";

  /**
   * An intra-op thread count that means "the cores of the machine the session opens on", read when the session
   * opens: settings built on a job's client and shipped to a TaskManager use the TaskManager's cores.
   */
  public static final int CORES_OF_THE_MACHINE = 0;

  private final int intraOpThreads;
  private final int interOpThreads;
  private final OptimizationLevel optimizationLevel;
  private final ExecutionProvider executionProvider;
  private final boolean allowCpuFallback;
  private final int gpuDeviceId;
  private final ThreadSpinning spinning;
  private final int dynamicBlockBase;

  private SessionSettings(Builder b) {
    this.intraOpThreads = b.intraOpThreads;
    this.interOpThreads = b.interOpThreads;
    this.optimizationLevel = b.optimizationLevel;
    this.executionProvider = b.executionProvider;
    this.allowCpuFallback = b.allowCpuFallback;
    this.gpuDeviceId = b.gpuDeviceId;
    this.spinning = b.spinning;
    this.dynamicBlockBase = b.dynamicBlockBase;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Default settings: CPU, min(cores, 4) intra-op threads, full graph optimization. */
  public static SessionSettings defaults() {
    return builder().build();
  }

  public Builder toBuilder() {
    return new Builder()
        .intraOpThreads(intraOpThreads)
        .interOpThreads(interOpThreads)
        .optimizationLevel(optimizationLevel)
        .executionProvider(executionProvider)
        .allowCpuFallback(allowCpuFallback)
        .gpuDeviceId(gpuDeviceId)
        .spinning(spinning)
        .dynamicBlockBase(dynamicBlockBase);
  }

  /** The configured intra-op thread count; {@link #CORES_OF_THE_MACHINE} until {@link #resolvedIntraOpThreads}. */
  public int intraOpThreads() {
    return intraOpThreads;
  }

  /** The intra-op threads a session opened here gets: the configured count, or this machine's cores. */
  public int resolvedIntraOpThreads() {
    return intraOpThreads == CORES_OF_THE_MACHINE
        ? Math.max(1, Runtime.getRuntime().availableProcessors()) : intraOpThreads;
  }

  public int interOpThreads() {
    return interOpThreads;
  }

  public OptimizationLevel optimizationLevel() {
    return optimizationLevel;
  }

  public ExecutionProvider executionProvider() {
    return executionProvider;
  }

  public boolean allowCpuFallback() {
    return allowCpuFallback;
  }

  public int gpuDeviceId() {
    return gpuDeviceId;
  }

  /** When ONNX Runtime's pool threads busy-wait for work. */
  public ThreadSpinning spinning() {
    return spinning;
  }

  /** ONNX Runtime's dynamic block base for parallel loops; 0 = off (static split, ONNX Runtime's default). */
  public int dynamicBlockBase() {
    return dynamicBlockBase;
  }

  /**
   * Builds ONNX Runtime session options for a model. The caller owns (and closes) the returned options.
   *
   * @throws ModelLoadException if a GPU provider is requested, is not usable, and CPU fallback is not allowed
   */
  public OrtSession.SessionOptions toSessionOptions(ModelCard card) {
    return prepare(card).options();
  }

  /** Options plus the provider that will really run the model (CPU after a fallback). */
  record Prepared(OrtSession.SessionOptions options, ExecutionProvider provider) {}

  Prepared prepare(ModelCard card) {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    try {
      options.setIntraOpNumThreads(resolvedIntraOpThreads());
      options.setInterOpNumThreads(interOpThreads);
      options.setExecutionMode(interOpThreads > 1
          ? OrtSession.SessionOptions.ExecutionMode.PARALLEL
          : OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(optimizationLevel.toOrt());
      options.addConfigEntry(ThreadSpinning.INTRA_OP_ALLOW_SPINNING, spinning.allowSpinning);
      options.addConfigEntry(ThreadSpinning.INTER_OP_ALLOW_SPINNING, spinning.allowSpinning);
      options.addConfigEntry(ThreadSpinning.FORCE_SPINNING_STOP, spinning.forceSpinningStop);
      if (dynamicBlockBase > 0) {
        options.addConfigEntry(DYNAMIC_BLOCK_BASE, Integer.toString(dynamicBlockBase));
      }
      ExecutionProvider provider = addProvider(options, card);
      return new Prepared(options, provider);
    } catch (OrtException e) {
      options.close();
      throw new ModelLoadException("model " + card.id() + ": cannot build session options from " + this + ": "
          + e.getMessage(), e);
    } catch (RuntimeException e) {
      options.close();
      throw e;
    }
  }

  private ExecutionProvider addProvider(OrtSession.SessionOptions options, ModelCard card) throws OrtException {
    if (!executionProvider.isGpu()) {
      return ExecutionProvider.CPU;
    }
    Set<ExecutionProvider> available = OrtRuntime.availableProviders();
    String problem;
    Throwable cause = null;
    if (!available.contains(executionProvider)) {
      problem = "execution provider " + executionProvider + " is not available in the loaded ONNX Runtime library"
          + " (available: " + available + ")";
    } else {
      try {
        if (executionProvider == ExecutionProvider.TENSORRT) {
          options.addTensorrt(gpuDeviceId);
          // Nodes TensorRT cannot take go to CUDA rather than straight to the CPU.
          if (available.contains(ExecutionProvider.CUDA)) {
            options.addCUDA(gpuDeviceId);
          }
        } else {
          options.addCUDA(gpuDeviceId);
        }
        return executionProvider;
      } catch (OrtException e) {
        problem = "execution provider " + executionProvider + " failed to initialise on GPU " + gpuDeviceId
            + " (available: " + available + "): " + e.getMessage();
        cause = e;
      }
    }
    if (allowCpuFallback) {
      LOG.warn("model {}: {}; running on the CPU because allowCpuFallback is set", card.id(), problem);
      return ExecutionProvider.CPU;
    }
    throw new ModelLoadException("model " + card.id() + ": " + problem + ". To fix: put the onnxruntime_gpu jar "
        + "(com.microsoft.onnxruntime:onnxruntime_gpu) on the classpath instead of onnxruntime, with matching "
        + "CUDA/cuDNN" + (executionProvider == ExecutionProvider.TENSORRT ? "/TensorRT" : "") + " libraries and a "
        + "visible GPU; or choose executionProvider CPU; or set allowCpuFallback to run on the CPU anyway.", cause);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SessionSettings other
        && intraOpThreads == other.intraOpThreads
        && interOpThreads == other.interOpThreads
        && optimizationLevel == other.optimizationLevel
        && executionProvider == other.executionProvider
        && allowCpuFallback == other.allowCpuFallback
        && gpuDeviceId == other.gpuDeviceId
        && spinning == other.spinning
        && dynamicBlockBase == other.dynamicBlockBase;
  }

  @Override
  public int hashCode() {
    return Objects.hash(intraOpThreads, interOpThreads, optimizationLevel, executionProvider, allowCpuFallback,
        gpuDeviceId, spinning, dynamicBlockBase);
  }

  @Override
  public String toString() {
    return "SessionSettings{provider=" + executionProvider + ", allowCpuFallback=" + allowCpuFallback
        + ", gpuDeviceId=" + gpuDeviceId + ", intraOpThreads=" + intraOpThreads + ", interOpThreads="
        + interOpThreads + ", spinning=" + spinning + ", dynamicBlockBase=" + dynamicBlockBase
        + ", optimizationLevel=" + optimizationLevel + "}";
  }

  /** Builder for {@link SessionSettings}; every setting has a default. */
  public static final class Builder {
    private int intraOpThreads = Math.min(Runtime.getRuntime().availableProcessors(), 4);
    private int interOpThreads = 1;
    private OptimizationLevel optimizationLevel = OptimizationLevel.ALL;
    private ExecutionProvider executionProvider = ExecutionProvider.CPU;
    private boolean allowCpuFallback = false;
    private int gpuDeviceId = 0;
    private ThreadSpinning spinning = ThreadSpinning.ALWAYS;
    private int dynamicBlockBase = 0;

    private Builder() {}

    /**
     * Threads one operator may use (default min(available cores, 4)); at least 1, or {@link #CORES_OF_THE_MACHINE}
     * for the cores of the machine the session opens on.
     */
    public Builder intraOpThreads(int threads) {
      this.intraOpThreads = threads;
      return this;
    }

    /** Threads running independent graph branches in parallel (default 1 = sequential execution). */
    public Builder interOpThreads(int threads) {
      this.interOpThreads = threads;
      return this;
    }

    public Builder optimizationLevel(OptimizationLevel level) {
      this.optimizationLevel = Objects.requireNonNull(level, "optimizationLevel");
      return this;
    }

    public Builder executionProvider(ExecutionProvider provider) {
      this.executionProvider = Objects.requireNonNull(provider, "executionProvider");
      return this;
    }

    /** When the GPU provider cannot be used: true = warn and run on the CPU, false (default) = fail. */
    public Builder allowCpuFallback(boolean allow) {
      this.allowCpuFallback = allow;
      return this;
    }

    /** CUDA device ordinal for GPU providers (default 0). */
    public Builder gpuDeviceId(int deviceId) {
      this.gpuDeviceId = deviceId;
      return this;
    }

    /**
     * When pool threads busy-wait for work (default {@link ThreadSpinning#ALWAYS}, ONNX Runtime's own default).
     * {@link ThreadSpinning#DURING_RUN} leaves the cores to other threads between runs.
     */
    public Builder spinning(ThreadSpinning spinning) {
      this.spinning = Objects.requireNonNull(spinning, "spinning");
      return this;
    }

    /**
     * How ONNX Runtime splits a parallel loop among its threads (default 0, ONNX Runtime's default: one equal block
     * per thread). With a positive base b, blocks start at n / (threads × b) iterations and shrink as the loop
     * progresses, and idle threads take the next block: when another thread of the process holds a core, the
     * model's other threads take over the preempted thread's remaining work instead of waiting for it.
     */
    public Builder dynamicBlockBase(int base) {
      this.dynamicBlockBase = base;
      return this;
    }

    public SessionSettings build() {
      if (intraOpThreads < 1 && intraOpThreads != CORES_OF_THE_MACHINE) {
        throw new IllegalArgumentException("intraOpThreads must be at least 1 (or CORES_OF_THE_MACHINE), got "
            + intraOpThreads + "; use the number of cores this task may use");
      }
      if (interOpThreads < 1) {
        throw new IllegalArgumentException("interOpThreads must be at least 1, got " + interOpThreads);
      }
      if (dynamicBlockBase < 0) {
        throw new IllegalArgumentException("dynamicBlockBase must be >= 0 (0 = off), got " + dynamicBlockBase);
      }
      if (gpuDeviceId < 0) {
        throw new IllegalArgumentException("gpuDeviceId must be >= 0, got " + gpuDeviceId);
      }
      return new SessionSettings(this);
    }
  }
}
