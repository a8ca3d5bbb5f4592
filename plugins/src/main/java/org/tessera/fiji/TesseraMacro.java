package org.tessera.fiji;

import java.nio.file.Path;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.WindowManager;
import ij.macro.ExtensionDescriptor;
import ij.macro.Functions;
import ij.macro.Interpreter;
import ij.macro.MacroExtension;
import ij.measure.ResultsTable;

import org.tessera.service.RunSummary;
import org.tessera.service.SegmentationRequest;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.classic.Parameters;
import org.tessera.volume.ij.ImagePlusVolumes;
import org.tessera.volume.io.VolumeIO;

/**
 * Macro functions that also work in headless plain ImageJ ({@code ImageJ -batch}), where {@code run("Tessera
 * Segment", ...)} cannot (it needs menus, hence a display). Install them once per macro:
 *
 * <pre>
 * call("org.tessera.fiji.TesseraMacro.install");
 * Ext.tesseraOpen("/data/cells.tif");                                           // also .nii/.nii.gz
 * Ext.tesseraSegment("nuclei-2d-unet", "tile=auto tiling=gaussian device=cpu");  // label image becomes active
 * Ext.tesseraSegment("classic:kmeans", "parameters=[k=3 order=bright-to-dark]");  // a classic method
 * Ext.tesseraModels(ids);                                                     // "id1,id2,..."
 * Ext.tesseraModelCard("nuclei-2d-unet", card);
 * Ext.tesseraEvaluate("cells_labels", "cells_truth", meanDice);               // table "Tessera evaluation"
 * Ext.tesseraSegmentFolder("/data/in", "/data/out", "nuclei-2d-unet", "");
 * </pre>
 *
 * Plain ImageJ's own {@code open(path)} needs menus, hence a display; {@code Ext.tesseraOpen} does not.
 * Options use the words of the Tessera Segment dialog: {@code tile=x,y[,z]|auto tiling=gaussian|halo
 * device=auto|cpu|cuda probabilities show_attention_maps instances instance_parameters=[minArea=20]
 * parameters=[key=value ...]}; the folder function also takes {@code overlay} and {@code overwrite}. With
 * {@code instances}, {@code <title>_instances} opens and, headless, the objects fill the Results table
 * ({@code nResults}, {@code getResult("pixels", i)}).
 * A bad argument stops the macro with a short message; details go to the Log window.
 */
public final class TesseraMacro implements MacroExtension {

    private static final int S = ARG_STRING, OUT = ARG_OUTPUT + ARG_STRING, OUT_NUMBER = ARG_OUTPUT + ARG_NUMBER;

    private final ExtensionDescriptor[] functions = {
            ExtensionDescriptor.newDescriptor("tesseraOpen", this, S),
            ExtensionDescriptor.newDescriptor("tesseraSegment", this, S, S),
            ExtensionDescriptor.newDescriptor("tesseraModels", this, OUT),
            ExtensionDescriptor.newDescriptor("tesseraModelCard", this, S, OUT),
            ExtensionDescriptor.newDescriptor("tesseraEvaluate", this, S, S, OUT_NUMBER),
            ExtensionDescriptor.newDescriptor("tesseraSegmentFolder", this, S, S, S, S), };

    /** Registers the Ext.tessera* functions with the running macro. */
    public static String install() {
        Functions.registerExtensions(new TesseraMacro());
        return "";
    }

    @Override
    public ExtensionDescriptor[] getExtensionFunctions() {
        return functions;
    }

    @Override
    public String handleExtension(String name, Object[] args) {
        String title = "Tessera " + name;
        try {
            switch (name) {
                case "tesseraOpen" -> open((String) args[0]);
                case "tesseraSegment" -> segment((String) args[0], (String) args[1]);
                case "tesseraModels" -> ((String[]) args[0])[0] = String.join(",", Tessera.modelIds(Tessera.zoo()));
                case "tesseraModelCard" -> ((String[]) args[1])[0] = ModelTables.card((String) args[0]);
                case "tesseraEvaluate" -> ((Double[]) args[2])[0] = evaluate((String) args[0], (String) args[1]);
                case "tesseraSegmentFolder" -> segmentFolder((String) args[0], (String) args[1], (String) args[2],
                        (String) args[3]);
                default -> throw new InvalidInputException("Unknown function Ext." + name);
            }
        } catch (RuntimeException e) {
            if (Macro.MACRO_CANCELED.equals(e.getMessage()))
                throw e;
            Reports.report(title, e);
            // Stop the macro, as a built-in function does on a bad argument, so that it does not go on with
            // the wrong image.
            Interpreter.abort();
        }
        return null;
    }

    /** Opens an image file (TIFF, PNG, NIfTI and whatever ImageJ reads) without ImageJ's menus; it becomes active. */
    private static void open(String path) {
        Path file = Path.of(path);
        if (!java.nio.file.Files.isRegularFile(file))
            throw new InvalidInputException("There is no file " + path + "; give the full path of an image file");
        // Tessera's own formats go through its readers, which check a file before decoding it (a TIFF whose IFDs
        // loop would hang ImageJ's opener); other formats are left to ImageJ.
        ImagePlus imp = VolumeIO.isSupported(file)
                ? ImagePlusVolumes.toImagePlus(VolumeIO.read(file), file.getFileName().toString())
                : IJ.openImage(path);
        if (imp == null)
            throw new InvalidInputException("ImageJ cannot read " + path + "; give a TIFF, PNG or NIfTI file");
        imp.show();
        WindowManager.setTempCurrentImage(imp);
    }

    private static void segment(String model, String options) {
        ImagePlus imp = WindowManager.getCurrentImage();
        if (imp == null)
            throw new InvalidInputException("No image is open; open an image before Ext.tesseraSegment");
        SegmentationRequest request = request(model, options).build();
        ImageJProgress progress = new ImageJProgress("Tessera");
        ImageResults.Segmented s = Tessera.segment(imp, request, progress, line -> IJ.log("Tessera: " + line));
        s.show();
        WindowManager.setTempCurrentImage(s.labels());
        progress.finish(model + " done");
    }

    private static double evaluate(String predictionTitle, String truthTitle) {
        ImagePlus prediction = image(predictionTitle), truth = image(truthTitle);
        ResultsTable table = ImageResults.evaluate(prediction, truth);
        table.show(ImageResults.EVALUATION_TABLE);
        return ImageResults.meanDice(table);
    }

    private static void segmentFolder(String input, String output, String model, String options) {
        String o = options == null ? "" : options;
        SegmentationRequest request = request(model, options).overlay(hasFlag(o, "overlay"))
                .overwrite(hasFlag(o, "overwrite")).build();
        RunSummary summary = Tessera.segmentFolder(Path.of(input), Path.of(output), request,
                new ImageJProgress("Tessera"), line -> IJ.log("Tessera: " + line));
        IJ.log("Tessera: " + summary);
    }

    private static ImagePlus image(String title) {
        ImagePlus imp = WindowManager.getImage(title);
        if (imp == null)
            throw new InvalidInputException("No open image is titled '" + title + "'; open images: "
                    + String.join(", ", WindowManager.getImageTitles()));
        return imp;
    }

    /**
     * Parses "tile=... tiling=... device=... probabilities parameters=[k=3 ...]" like the dialog does (the
     * bracketed parameters are a classic method's).
     */
    static SegmentationRequest.Builder request(String model, String options) {
        String o = options == null ? "" : options + " ";
        for (String word : words(o)) {
            String key = word.contains("=") ? word.substring(0, word.indexOf('=')) : word;
            if (!java.util.List.of("tile", "tiling", "device", "probabilities", "show_attention_maps", "overlay",
                    "overwrite", "parameters", "instances", "instance_parameters").contains(key))
                throw new InvalidInputException("Option '" + word + "' is not known; use tile=x,y[,z]|auto, "
                        + "tiling=gaussian|halo, device=auto|cpu|cuda, the words probabilities, show_attention_maps and "
                        + "instances, instance_parameters=[key=value ...], and for a classic method "
                        + "parameters=[key=value ...]");
        }
        return Tessera.request(model, value(o, "tile", "auto"), value(o, "tiling", "auto"),
                value(o, "device", "auto"), hasFlag(o, "probabilities"), hasFlag(o, "show_attention_maps"),
                value(o, "parameters", "")).instances(hasFlag(o, "instances"))
                .instanceParameters(Parameters.parse(value(o, "instance_parameters", "")));
    }

    /**
     * The value of the word {@code key=value} (brackets removed), or {@code fallback}. Unlike Macro.getValue, the
     * whole key must match: "parameters" is not found inside "instance_parameters".
     */
    static String value(String options, String key, String fallback) {
        for (String word : words(options))
            if (word.startsWith(key + "=")) {
                String v = word.substring(key.length() + 1);
                return v.startsWith("[") && v.endsWith("]") ? v.substring(1, v.length() - 1) : v;
            }
        return fallback;
    }

    /** The words of an options string; a [bracketed value] is part of its word, spaces and all. */
    static java.util.List<String> words(String options) {
        java.util.List<String> words = new java.util.ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean bracket = false;
        for (char c : options.toCharArray()) {
            if (c == '[')
                bracket = true;
            else if (c == ']')
                bracket = false;
            if (Character.isWhitespace(c) && !bracket) {
                if (word.length() > 0)
                    words.add(word.toString());
                word.setLength(0);
            } else
                word.append(c);
        }
        if (word.length() > 0)
            words.add(word.toString());
        return words;
    }

    private static boolean hasFlag(String options, String word) {
        return (" " + options + " ").contains(" " + word + " ");
    }
}
