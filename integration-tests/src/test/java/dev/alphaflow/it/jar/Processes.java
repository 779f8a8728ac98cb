package dev.alphaflow.it.jar;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Ending the processes a test started, by PID, together with their descendants, so that none outlives the test.
 * The descendants are listed before anything is signalled: once a parent is gone its children are re-parented and
 * no longer show up as its descendants.
 */
final class Processes {
    /** How long a SIGKILLed process may take to be gone before it counts as surviving. */
    private static final Duration AFTER_KILL = Duration.ofSeconds(30);

    private Processes() {}

    /**
     * Asks {@code process} and its descendants to stop (SIGTERM, as Ctrl-C would: shutdown hooks run), gives each up
     * to {@code grace} to end, then kills (SIGKILL) whatever is left and waits until it is gone.
     *
     * @throws IllegalStateException if a process survives SIGKILL
     */
    static void stop(ProcessHandle process, Duration grace) {
        List<ProcessHandle> all = family(process);
        all.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        List<ProcessHandle> left = new ArrayList<>();
        for (ProcessHandle p : all) {
            if (!awaitGone(p, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), true)) {
                left.add(p);
            }
        }
        killAll(left);
    }

    /**
     * Kills (SIGKILL) {@code process} and its descendants at once and waits until they are gone.
     *
     * @throws IllegalStateException if a process survives SIGKILL
     */
    static void kill(ProcessHandle process) {
        killAll(family(process));
    }

    private static List<ProcessHandle> family(ProcessHandle process) {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process);
        return all;
    }

    private static void killAll(List<ProcessHandle> processes) {
        processes.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : processes) {
            if (!awaitGone(p, AFTER_KILL, false)) {
                throw new IllegalStateException("process " + p.pid() + " still running " + AFTER_KILL
                        + " after SIGKILL");
            }
        }
    }

    /**
     * Whether {@code p} ended within {@code timeout}. An interrupt cuts the wait short only where {@code interruptible}
     * (the grace period); waiting for a SIGKILL to take effect is bounded and finishes, keeping the interrupt flag.
     */
    private static boolean awaitGone(ProcessHandle p, Duration timeout, boolean interruptible) {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean interrupted = Thread.interrupted();
        try {
            while (p.isAlive()) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || (interrupted && interruptible)) {
                    return false;
                }
                try {
                    p.onExit().get(left, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (TimeoutException e) {
                    return !p.isAlive();
                } catch (ExecutionException e) {
                    throw new IllegalStateException("waiting for process " + p.pid(), e);
                }
            }
            return true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
