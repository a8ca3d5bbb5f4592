package org.tessera.fiji.plan;

import java.awt.Color;
import java.awt.Font;
import java.awt.Polygon;
import java.awt.Rectangle;
import java.util.ArrayList;
import java.util.List;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;

import org.tessera.planner.Plans;

/**
 * Draws each configuration of a plan on one RGB slice ({@value #WIDTH} x {@value #HEIGHT}) with plain
 * {@link ImageProcessor} drawing, so it works headless:
 * <ul>
 * <li>left, the network as a U: one box per stage (encoder down the left, decoder up the right, the bottleneck
 * at the bottom), the box width growing with the features and its height with the feature map size, each
 * labelled with features, feature map size, kernel and stride; arrows for the encoder, the decoder and the
 * skip connections;</li>
 * <li>right, the patch over a median-sized image in physical proportions: the in-plane view and (3D) a side
 * view, with the sliding-window tiles at step 0.5 drawn faintly and the first tile strongly, axis names and
 * sizes in voxels and spacing units.</li>
 * </ul>
 * Box positions come from {@link #layout(Plans.Configuration)}, so that a test can look at them.
 */
public final class PlanDrawing {

    public static final int WIDTH = 1280;
    public static final int HEIGHT = 760;
    public static final Color BACKGROUND = Color.WHITE;

    static final int U_TOP = 96;
    static final int U_BOTTOM = 740;
    static final int U_CENTER = 390;
    static final int U_HALF = 205;
    static final int MAX_BOX_WIDTH = 48;
    static final int VIEW_LEFT = 800;
    static final int VIEW_WIDTH = 440;

    static final Color TEXT = new Color(30, 30, 30);
    static final Color ENCODER = new Color(74, 123, 200);
    static final Color DECODER = new Color(222, 125, 60);
    static final Color BOTTLENECK = new Color(125, 85, 175);
    static final Color SKIP = new Color(150, 150, 150);
    static final Color VOLUME = new Color(228, 228, 228);
    static final Color TILE = new Color(160, 182, 225);
    static final Color PATCH = new Color(230, 90, 30);
    static final Color PATCH_FILL = new Color(252, 214, 190);

    private PlanDrawing() {}

    /**
     * Where the boxes go: {@code encoder.get(s)} for every stage (the last is the bottleneck),
     * {@code decoder.get(s)} for every stage but the last.
     */
    public record Layout(List<Rectangle> encoder, List<Rectangle> decoder) {}

    /** The box of each stage of a configuration (resolved: with its architecture). */
    public static Layout layout(Plans.Configuration c) {
        Plans.Architecture a = c.architecture();
        int stages = a.nStages();
        int[] features = a.featuresPerStage();
        int[][] sizes = PlanReport.stageSizes(c.patchSize(), a.strides());
        int maxFeatures = 1;
        for (int f : features)
            maxFeatures = Math.max(maxFeatures, f);
        double dx = stages > 1 ? (U_HALF - MAX_BOX_WIDTH / 2.0) / (stages - 1) : 0;
        // encoder and decoder boxes of the second-deepest stage sit 2 dx apart: keep them from touching
        double maxWidth = stages > 1 ? Math.min(MAX_BOX_WIDTH, 2 * dx - 10) : MAX_BOX_WIDTH;
        double band = (U_BOTTOM - U_TOP) / (double) stages;
        double first = voxels(sizes[0]);
        int dim = sizes[0].length;
        List<Rectangle> enc = new ArrayList<>();
        List<Rectangle> dec = new ArrayList<>();
        for (int s = 0; s < stages; s++) {
            int w = (int) Math.max(6, Math.round(maxWidth * Math.sqrt(features[s] / (double) maxFeatures)));
            double ratio = Math.pow(voxels(sizes[s]) / first, 1.0 / dim);
            int h = (int) Math.max(6, Math.round((band - 12) * ratio));
            int cy = (int) Math.round(U_TOP + band * s + band / 2);
            int offset = (int) Math.round((stages - 1 - s) * dx);
            enc.add(new Rectangle(U_CENTER - offset - w / 2, cy - h / 2, w, h));
            if (s < stages - 1)
                dec.add(new Rectangle(U_CENTER + offset - w / 2, cy - h / 2, w, h));
        }
        return new Layout(List.copyOf(enc), List.copyOf(dec));
    }

    /** One slice per configuration, in the plan's order, each labelled with the configuration's name. */
    public static ImagePlus draw(Plans plans) {
        ImageStack stack = new ImageStack(WIDTH, HEIGHT);
        for (String name : plans.configurations().keySet())
            stack.addSlice(name, draw(plans, name));
        ImagePlus imp = new ImagePlus(plans.datasetName() + " plan", stack);
        imp.setProperty("Info", "Tessera plan drawing of " + plans.datasetName() + ": " + plans.configurations().keySet());
        return imp;
    }

    /** One configuration. */
    public static ColorProcessor draw(Plans plans, String name) {
        Plans.Configuration own = plans.configuration(name);
        Plans.Configuration c = plans.resolved(name);
        ColorProcessor ip = new ColorProcessor(WIDTH, HEIGHT);
        ip.setColor(BACKGROUND);
        ip.fill();
        ip.setAntialiasedText(true);
        List<String> axes = PlanReport.axisList(plans.transposeForward(), c.patchSize().length);
        header(ip, plans, name, own, c, axes);
        network(ip, c);
        PlanViews.draw(ip, c, axes);
        return ip;
    }

    private static void header(ImageProcessor ip, Plans plans, String name, Plans.Configuration own, Plans.Configuration c,
            List<String> axes) {
        Plans.Architecture a = c.architecture();
        ip.setColor(TEXT);
        ip.setFont(new Font("SansSerif", Font.BOLD, 20));
        ip.setJustification(ImageProcessor.LEFT_JUSTIFY);
        String extra = own.inheritsFrom() != null ? "   (inherits " + own.inheritsFrom()
                + (c.previousStage() != null ? ", after " + c.previousStage() : "") + ")" : "";
        ip.drawString(name + "   " + plans.datasetName() + extra, 16, 28);
        ip.setFont(new Font("SansSerif", Font.PLAIN, 14));
        ip.drawString("patch " + PlanReport.times(c.patchSize()) + " (" + String.join(", ", axes) + ")   spacing "
                + PlanReport.numbers(c.spacing()) + "   batch " + c.batchSize() + "   " + a.nStages() + " stages   "
                + "normalization " + String.join(", ", c.normalizationSchemes()) + "   batch_dice " + c.batchDice(), 16, 52);
        ip.setFont(new Font("SansSerif", Font.PLAIN, 12));
        ip.setColor(new Color(90, 90, 90));
        ip.drawString("box width ~ features, height ~ feature map size;  down: encoder (strided conv), up: decoder "
                + "(transposed conv), dashed: skip;  f features, k kernel, s stride", 16, 74);
    }

    // ------------------------------------------------------------------ the U

    private static void network(ImageProcessor ip, Plans.Configuration c) {
        Plans.Architecture a = c.architecture();
        Layout l = layout(c);
        int stages = a.nStages();
        int[][] sizes = PlanReport.stageSizes(c.patchSize(), a.strides());
        ip.setFont(new Font("SansSerif", Font.PLAIN, 12));
        // skips and arrows first, so that boxes are drawn over line ends
        for (int s = 0; s < stages - 1; s++) {
            Rectangle e = l.encoder().get(s), d = l.decoder().get(s);
            int y = e.y + e.height / 2;
            ip.setColor(SKIP);
            dashed(ip, e.x + e.width + 3, y, d.x - 4, y);
            arrowHead(ip, d.x - 3, y, 1, 0, SKIP);
            Rectangle below = l.encoder().get(s + 1);
            arrow(ip, centerX(e), e.y + e.height + 2, centerX(below), below.y - 3, ENCODER.darker());
            Rectangle from = s + 1 == stages - 1 ? below : l.decoder().get(s + 1);
            arrow(ip, centerX(from), from.y - 2, centerX(d), d.y + d.height + 3, DECODER.darker());
        }
        for (int s = 0; s < stages; s++) {
            boolean bottom = s == stages - 1;
            Rectangle e = l.encoder().get(s);
            box(ip, e, bottom ? BOTTLENECK : ENCODER);
            String line1 = a.featuresPerStage()[s] + " f   " + PlanReport.times(sizes[s]);
            String line2 = "k " + PlanReport.times(a.kernelSizes()[s]) + "   s " + PlanReport.times(a.strides()[s]);
            int cy = e.y + e.height / 2;
            if (bottom) {
                label(ip, e.x + e.width + 8, cy, ImageProcessor.LEFT_JUSTIFY, "bottleneck " + line1, line2);
            } else {
                label(ip, e.x - 8, cy, ImageProcessor.RIGHT_JUSTIFY, line1, line2);
                Rectangle d = l.decoder().get(s);
                box(ip, d, DECODER);
                label(ip, d.x + d.width + 8, cy, ImageProcessor.LEFT_JUSTIFY,
                        a.featuresPerStage()[s] + " f   k " + PlanReport.times(a.kernelSizes()[s]),
                        "up " + PlanReport.times(a.strides()[s + 1]) + (s == 0 ? "   -> segmentation" : ""));
            }
        }
    }

    private static void box(ImageProcessor ip, Rectangle r, Color fill) {
        ip.setColor(fill);
        ip.fillRect(r.x, r.y, r.width, r.height);
        ip.setColor(TEXT);
        ip.setLineWidth(1);
        ip.drawRect(r.x, r.y, r.width, r.height);
    }

    private static void label(ImageProcessor ip, int x, int cy, int justification, String line1, String line2) {
        ip.setColor(TEXT);
        ip.setJustification(justification);
        ip.drawString(line1, x, cy - 1);
        ip.drawString(line2, x, cy + 14);
        ip.setJustification(ImageProcessor.LEFT_JUSTIFY);
    }

    private static int centerX(Rectangle r) {
        return r.x + r.width / 2;
    }

    private static void arrow(ImageProcessor ip, int x0, int y0, int x1, int y1, Color color) {
        ip.setColor(color);
        ip.setLineWidth(2);
        ip.drawLine(x0, y0, x1, y1);
        ip.setLineWidth(1);
        double len = Math.hypot(x1 - x0, y1 - y0);
        if (len > 0)
            arrowHead(ip, x1, y1, (x1 - x0) / len, (y1 - y0) / len, color);
    }

    private static void arrowHead(ImageProcessor ip, int x, int y, double ux, double uy, Color color) {
        double size = 7, half = 4;
        Polygon p = new Polygon();
        p.addPoint(x, y);
        p.addPoint((int) Math.round(x - size * ux - half * uy), (int) Math.round(y - size * uy + half * ux));
        p.addPoint((int) Math.round(x - size * ux + half * uy), (int) Math.round(y - size * uy - half * ux));
        ip.setColor(color);
        ip.fillPolygon(p);
    }

    private static void dashed(ImageProcessor ip, int x0, int y, int x1, int yEnd) {
        for (int x = x0; x < x1; x += 8)
            ip.drawLine(x, y, Math.min(x + 4, x1), yEnd);
    }

    // ------------------------------------------------------------------ patch over the median image

    private static double voxels(int[] size) {
        double v = 1;
        for (int x : size)
            v *= Math.max(1, x);
        return v;
    }
}
