package org.tessera.unet;

/**
 * An engine that adds something around another engine's runs (timing, test-time augmentation). Device and
 * batch limit are the wrapped engine's; closing the wrapper leaves the wrapped engine open, as its owner
 * closes it.
 */
public abstract class EngineWrapper implements Engine {

    private final Engine wrapped;

    protected EngineWrapper(Engine wrapped) {
        this.wrapped = wrapped;
    }

    protected final Engine wrapped() {
        return wrapped;
    }

    @Override
    public String device() {
        return wrapped.device();
    }

    @Override
    public int maxBatch() {
        return wrapped.maxBatch();
    }

    @Override
    public void close() {
    }
}
