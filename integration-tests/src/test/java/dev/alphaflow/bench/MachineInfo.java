package dev.alphaflow.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.alphaflow.model.ExecutionProvider;
import dev.alphaflow.model.OrtRuntime;

/** A one-line description of the machine a benchmark ran on. */
final class MachineInfo {
    private MachineInfo() {}

    static String describe() {
        ExecutionProvider provider = BenchmarkSuite.provider();
        String gpu = provider.isGpu() ? ", GPU " + gpus() : ", no GPU used";
        return String.format(Locale.ROOT, "%d cores (%s), %s RAM%s, %s %s, ONNX Runtime %s (%s provider), %s %s",
                Runtime.getRuntime().availableProcessors(), cpuModel(), memory(), gpu,
                System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
                OrtRuntime.environment().getVersion(), provider, System.getProperty("os.name"),
                System.getProperty("os.version"));
    }

    /** The GPUs as nvidia-smi names them (name, driver, memory), or a note that it could not be asked. */
    static String gpus() {
        try {
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=name,driver_version,memory.total",
                    "--format=csv,noheader").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0 || out.isEmpty()) {
                return "(nvidia-smi failed: " + out + ")";
            }
            return String.join("; ", out.lines().map(String::trim).toList());
        } catch (IOException e) {
            return "(nvidia-smi not found)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(nvidia-smi interrupted)";
        }
    }

    /** The 1-minute load average, or NaN where /proc is missing. */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /**
     * The CPU's model name and its widest vector instruction sets: ONNX Runtime picks its kernels by them, so
     * two hosts with the same model name can differ in speed and in an int8 model's outputs.
     */
    private static String cpuModel() {
        String model = System.getProperty("os.arch");
        String isa = "";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                String value = line.substring(line.indexOf(':') + 1).trim();
                if (line.startsWith("model name")) {
                    model = value;
                } else if (line.startsWith("flags")) {
                    Set<String> flags = new HashSet<>(Arrays.asList(value.split("\\s+")));
                    isa = Stream.of("avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8").filter(flags::contains)
                            .collect(Collectors.joining(" "));
                    break;
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return isa.isEmpty() ? model : model + "; " + isa;
    }

    private static String memory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return String.format(Locale.ROOT, "%.1f GiB", kib / 1024.0 / 1024.0);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return String.format(Locale.ROOT, "%.1f GiB max heap", Runtime.getRuntime().maxMemory() / 1024.0 / 1024 / 1024);
    }
}
