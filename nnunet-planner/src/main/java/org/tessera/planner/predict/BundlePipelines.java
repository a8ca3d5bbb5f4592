package org.tessera.planner.predict;

import java.util.function.Consumer;

import org.tessera.service.PipelineProvider;
import org.tessera.service.SegmentationRequest;
import org.tessera.unet.Engine;
import org.tessera.unet.Model;
import org.tessera.unet.VolumeSegmenter;

/** nnU-Net-style bundles (a card with an {@code nnunet} block) predict through {@link PlanPredictor}. */
public final class BundlePipelines implements PipelineProvider {

    @Override
    public boolean handles(Model model) {
        return Bundle.isBundle(model);
    }

    @Override
    public void check(Model model) {
        Bundle.read(model);
    }

    @Override
    public VolumeSegmenter open(Model model, Engine engine, SegmentationRequest request, Consumer<String> log) {
        return new PlanPredictor(Bundle.read(model), engine, request.mirroring(), log);
    }
}
