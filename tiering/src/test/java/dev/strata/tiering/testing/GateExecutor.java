package dev.strata.tiering.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * An executor that passes tasks to a delegate, except while {@link #hold() held}: then tasks wait
 * in a queue until {@link #release()}. A test holds the gate, starts an operation, attaches its
 * callbacks, and releases: the operation cannot complete before the callbacks are attached, so
 * the callbacks reveal which thread completed it.
 */
public final class GateExecutor implements Executor {

    private final Executor delegate;
    private final List<Runnable> held = new ArrayList<>();
    private boolean holding;

    public GateExecutor(Executor delegate) {
        this.delegate = delegate;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (held) {
            if (holding) {
                held.add(task);
                return;
            }
        }
        delegate.execute(task);
    }

    /** From now on, queue tasks instead of running them. */
    public void hold() {
        synchronized (held) {
            holding = true;
        }
    }

    /** Stops holding and hands every queued task, in order, to the delegate. */
    public void release() {
        List<Runnable> queued;
        synchronized (held) {
            holding = false;
            queued = new ArrayList<>(held);
            held.clear();
        }
        queued.forEach(delegate::execute);
    }
}
