package org.tessera.fiji.plan;

import static org.tessera.fiji.plan.PlanDrawing.PATCH;
import static org.tessera.fiji.plan.PlanDrawing.PATCH_FILL;
import static org.tessera.fiji.plan.PlanDrawing.TEXT;
import static org.tessera.fiji.plan.PlanDrawing.TILE;
import static org.tessera.fiji.plan.PlanDrawing.U_BOTTOM;
import static org.tessera.fiji.plan.PlanDrawing.U_TOP;
import static org.tessera.fiji.plan.PlanDrawing.VIEW_LEFT;
import static org.tessera.fiji.plan.PlanDrawing.VIEW_WIDTH;
import static org.tessera.fiji.plan.PlanDrawing.VOLUME;

import java.awt.Color;
import java.awt.Font;
import java.util.List;
import java.util.Locale;

import ij.process.ImageProcessor;

import org.tessera.planner.Plans;
import org.tessera.planner.PyMath;

/**
 * The right-hand side of a {@link PlanDrawing}: the patch over a median-sized image in physical proportions,
 * in-plane and (3D) from the side, with the sliding-window tiles at step 0.5.
 */
final class PlanViews {

    private PlanViews() {}

    static void draw(ImageProcessor ip, Plans.Configuration c, List<String> axes) {
        int[] patch = c.patchSize();
        double[] spacing = c.spacing();
        int[] median = new int[patch.length];
        for (int d = 0; d < patch.length; d++)
            median[d] = (int) Math.max(1, PyMath.roundHalfEven(c.medianImageSizeInVoxels().get(d).doubleValue()));
        if (patch.length == 2) {
            view(ip, "in-plane view", 0, 1, patch, median, spacing, axes, U_TOP + 20, U_BOTTOM - 60);
        } else {
            int mid = (U_TOP + U_BOTTOM) / 2;
            view(ip, "in-plane view", 1, 2, patch, median, spacing, axes, U_TOP + 20, mid - 60);
            view(ip, "side view", 0, 2, patch, median, spacing, axes, mid + 40, U_BOTTOM - 60);
        }
    }

    /**
     * Axis {@code v} runs down, axis {@code h} across, in the area from {@code top} to {@code bottom}, scaled so
     * that one spacing unit is as long across as down.
     */
    private static void view(ImageProcessor ip, String title, int v, int h, int[] patch, int[] median, double[] spacing,
            List<String> axes, int top, int bottom) {
        double extentH = Math.max(median[h], patch[h]) * spacing[h];
        double extentV = Math.max(median[v], patch[v]) * spacing[v];
        double scale = Math.min(VIEW_WIDTH / extentH, (bottom - top) / extentV);
        int x0 = VIEW_LEFT, y0 = top;
        int[] startsH = tileStarts(median[h], patch[h]);
        int[] startsV = tileStarts(median[v], patch[v]);

        ip.setColor(VOLUME);
        ip.fillRect(x0, y0, px(median[h] * spacing[h], scale), px(median[v] * spacing[v], scale));
        ip.setColor(PATCH_FILL);
        ip.fillRect(x0, y0, px(patch[h] * spacing[h], scale), px(patch[v] * spacing[v], scale));
        ip.setColor(TILE);
        ip.setLineWidth(1);
        for (int sv : startsV)
            for (int sh : startsH)
                ip.drawRect(x0 + px(sh * spacing[h], scale), y0 + px(sv * spacing[v], scale),
                        px(patch[h] * spacing[h], scale), px(patch[v] * spacing[v], scale));
        ip.setColor(new Color(110, 110, 110));
        ip.drawRect(x0, y0, px(median[h] * spacing[h], scale), px(median[v] * spacing[v], scale));
        ip.setColor(PATCH);
        ip.setLineWidth(2);
        ip.drawRect(x0, y0, px(patch[h] * spacing[h], scale), px(patch[v] * spacing[v], scale));
        ip.setLineWidth(1);

        ip.setColor(TEXT);
        ip.setJustification(ImageProcessor.LEFT_JUSTIFY);
        ip.setFont(new Font("SansSerif", Font.BOLD, 13));
        ip.drawString(title + " (" + axes.get(v) + " down, " + axes.get(h) + " across): " + startsV.length + " x "
                + startsH.length + " tiles at step 0.5", x0, y0 - 6);
        ip.setFont(new Font("SansSerif", Font.PLAIN, 12));
        int below = y0 + Math.max(px(median[v] * spacing[v], scale), px(patch[v] * spacing[v], scale)) + 16;
        ip.drawString(axisText(axes.get(h), median[h], patch[h], spacing[h]), x0, below);
        ip.drawString(axisText(axes.get(v), median[v], patch[v], spacing[v]), x0, below + 15);
    }

    private static String axisText(String axis, int median, int patch, double spacing) {
        return String.format(Locale.ROOT, "%s: median %d vox = %s, patch %d vox = %s (x %s)", axis, median,
                PlanReport.num(median * spacing), patch, PlanReport.num(patch * spacing), PlanReport.num(spacing));
    }

    private static int px(double physical, double scale) {
        return (int) Math.max(1, Math.round(physical * scale));
    }

    /**
     * Sliding-window tile starts along one axis at step 0.5, as nnU-Net computes them; an axis shorter than
     * the patch (padded) has one tile at 0.
     */
    static int[] tileStarts(int size, int patch) {
        if (size <= patch)
            return new int[] { 0 };
        int n = (int) Math.ceil((size - patch) / (patch * 0.5)) + 1;
        double step = (size - patch) / (double) (n - 1);
        int[] out = new int[n];
        for (int i = 0; i < n; i++)
            out[i] = (int) PyMath.roundHalfEven(step * i);
        return out;
    }
}
