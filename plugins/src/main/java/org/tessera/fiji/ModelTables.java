package org.tessera.fiji;

import java.util.List;
import java.util.Locale;

import ij.measure.ResultsTable;

import org.tessera.unet.Model;
import org.tessera.unet.ModelCard;
import org.tessera.volume.classic.ClassicMethod;
import org.tessera.volume.classic.ClassicMethods;
import org.tessera.volume.tiling.TileSizes;

/** The models and classic methods as an ImageJ table, and a model's card as readable lines. */
public final class ModelTables {

    public static final String MODELS_TABLE = "Tessera models";

    private ModelTables() {}

    /** One row per model (id, name, dimensionality, channels, classes, where it lives), then one per classic method. */
    public static ResultsTable modelsTable(List<Model> models) {
        ResultsTable table = new ResultsTable();
        for (Model m : models) {
            ModelCard c = m.card();
            table.incrementCounter();
            table.addValue("Id", m.id());
            table.addValue("Name", c.name());
            table.addValue("Dims", c.dimensionality() + "D");
            table.addValue("Channels", String.join(",", c.input().channels()));
            table.addValue("Classes", String.join(",", c.output().classes()));
            table.addValue("Source", m.source().name().toLowerCase(Locale.ROOT));
            table.addValue("Location", m.location());
        }
        for (ClassicMethod m : ClassicMethods.all()) {
            table.incrementCounter();
            table.addValue("Id", ClassicMethods.PREFIX + m.name());
            table.addValue("Name", m.summary());
            table.addValue("Dims", "2D/3D");
            table.addValue("Channels", "1");
            table.addValue("Classes", "by intensity (parameters order, names)");
            table.addValue("Source", "classic");
            table.addValue("Location", "-");
        }
        return table;
    }

    /** A model's card, or a classic method's description and parameters, as readable lines. */
    public static String card(String id) {
        if (ClassicMethods.isClassic(id))
            return ClassicMethods.describe(ClassicMethods.get(id));
        return cardText(Tessera.service().model(id.strip()));
    }

    /** A model card as readable lines. */
    public static String cardText(Model m) {
        ModelCard c = m.card();
        StringBuilder s = new StringBuilder();
        s.append("Model ").append(m.id()).append(": ").append(c.name()).append('\n');
        s.append("  architecture: ").append(c.architecture()).append(", ").append(c.dimensionality()).append("D\n");
        s.append("  input channels: ").append(String.join(", ", c.input().channels())).append('\n');
        s.append("  classes: ").append(String.join(", ", c.output().classes())).append(" (")
                .append(c.output().kind().name().toLowerCase(Locale.ROOT)).append(")\n");
        s.append("  normalization: ").append(c.normalization().scheme().name().toLowerCase(Locale.ROOT)).append('\n');
        s.append("  patch size: ").append(join(c.patchSize())).append(", divisibility: ").append(join(c.divisibility()));
        if (c.fixedInputSize() != null)
            s.append(", fixed input: ").append(join(c.fixedInputSize()));
        s.append('\n');
        if (c.trainingSpacing() != null)
            s.append("  training spacing: ").append(java.util.Arrays.toString(c.trainingSpacing())).append(' ')
                    .append(c.spacingUnit()).append('\n');
        if (c.trainingData() != null)
            s.append("  training data: ").append(c.trainingData().name()).append(" (").append(c.trainingData().source())
                    .append(", licence ").append(c.trainingData().licence()).append(")\n");
        if (c.quality() != null && c.quality().summary() != null)
            s.append("  quality: ").append(c.quality().summary()).append('\n');
        s.append("  location: ").append(m.location()).append('\n');
        return s.toString();
    }

    private static String join(int[] values) {
        return values == null ? "-" : TileSizes.format(values);
    }
}
