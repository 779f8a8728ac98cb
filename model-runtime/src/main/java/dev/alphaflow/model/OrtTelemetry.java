package dev.alphaflow.model;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * Keeps ONNX Runtime's usage telemetry off. Since 1.29 the Linux build starts a telemetry uploader when its environment
 * is created: it writes a persistent device id and an event database under {@code ~/.cache/Microsoft/DeveloperTools}
 * and tries to send events to Microsoft. A video pipeline on a camera fleet must neither phone home nor leave files in
 * the user's home, so alphaflow opts out the way ONNX Runtime documents: {@code ORT_DISABLE_TELEMETRY=1} in the
 * process environment before the native environment is created.
 *
 * <p>Java cannot change its own environment, and ONNX Runtime reads it with the C library's {@code getenv}, so this
 * calls the C library's {@code setenv} (through JNA) once, before the first {@code OrtEnvironment}. A value the user
 * set themselves is kept ({@code overwrite = 0}): {@code ORT_DISABLE_TELEMETRY=0} turns telemetry back on.
 * glibc never frees an environment block it replaced, so a native {@code getenv} on another thread stays safe.
 */
final class OrtTelemetry {

  static final String OPT_OUT_VARIABLE = "ORT_DISABLE_TELEMETRY";

  private OrtTelemetry() {}

  private interface CLibrary extends Library {
    int setenv(String name, String value, int overwrite);

    String getenv(String name);
  }

  private static final class C {
    static final CLibrary LIBRARY = load();

    private static CLibrary load() {
      // JNA unpacks its own native stub into ~/.cache/JNA unless told otherwise; the temp folder leaves no trace.
      if (System.getProperty("jna.tmpdir") == null) {
        System.setProperty("jna.tmpdir", System.getProperty("java.io.tmpdir"));
      }
      return Native.load("c", CLibrary.class);
    }
  }

  /** Sets {@value #OPT_OUT_VARIABLE}{@code =1} in the native environment unless it is set already. */
  static void disableBeforeNativeStart() {
    if (C.LIBRARY.setenv(OPT_OUT_VARIABLE, "1", 0) != 0) {
      throw new IllegalStateException("cannot set " + OPT_OUT_VARIABLE + " to keep ONNX Runtime's telemetry off; set "
          + OPT_OUT_VARIABLE + "=1 in the environment before starting alphaflow");
    }
  }

  /** The variable as native code sees it (null when unset); for tests and diagnostics. */
  static String nativeValue() {
    return C.LIBRARY.getenv(OPT_OUT_VARIABLE);
  }
}
