package org.tessera.fiji;

import java.nio.file.Path;
import java.util.List;

import ij.IJ;
import ij.Macro;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;

import org.tessera.unet.Model;
import org.tessera.unet.ModelZoo;

/**
 * Plugins > Tessera > Tessera Models: lists the models (shipped and user ones) in a table, prints one model's
 * card to the Log, or imports a model folder (card.json + model.onnx) into the first user model folder.
 */
public class ModelsPlugin implements PlugIn {

    static final String TITLE = "Tessera Models";
    static final String[] ACTIONS = { "list", "card", "import" };

    @Override
    public void run(String arg) {
        try {
            ModelZoo zoo = Tessera.zoo();
            String[] ids = Tessera.modelIds(zoo);
            GenericDialog gd = new GenericDialog(TITLE);
            gd.addChoice("Action", ACTIONS, "list");
            gd.addChoice("Model (for card)", ids.length > 0 ? ids : new String[] { "-" }, ids.length > 0 ? ids[0] : "-");
            gd.addDirectoryField("Folder (for import)", "", 30);
            gd.addMessage(ids.length + " models. User models are read from " + zoo.userDirectories());
            gd.showDialog();
            if (gd.wasCanceled())
                return;
            String action = gd.getNextChoice();
            String id = gd.getNextChoice();
            String folder = gd.getNextString().strip();
            switch (action) {
                case "list" -> {
                    List<Model> models = zoo.list();
                    ModelTables.modelsTable(models).show(ModelTables.MODELS_TABLE);
                    IJ.showStatus(TITLE + ": " + models.size() + " models");
                }
                case "card" -> IJ.log(ModelTables.card(id));
                default -> {
                    if (folder.isEmpty())
                        throw new org.tessera.volume.InvalidInputException(
                                "Choose the model folder to import (it holds card.json and model.onnx)");
                    Model m = zoo.importModel(Path.of(folder));
                    IJ.log(TITLE + ": imported '" + m.id() + "' into " + m.location());
                    IJ.showStatus(TITLE + ": imported " + m.id());
                }
            }
        } catch (RuntimeException e) {
            if (Macro.MACRO_CANCELED.equals(e.getMessage()))
                throw e;
            Reports.report(TITLE, e);
        }
    }
}
