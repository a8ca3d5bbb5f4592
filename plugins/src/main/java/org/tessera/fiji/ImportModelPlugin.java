package org.tessera.fiji;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import ij.IJ;
import ij.Macro;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;

import org.tessera.service.ImportRequest;
import org.tessera.service.ModelImporter;
import org.tessera.service.ModelImports;
import org.tessera.unet.Model;
import org.tessera.unet.ModelZoo;
import org.tessera.volume.InvalidInputException;

/**
 * Plugins > Tessera > Import model...: installs a model made elsewhere (a bioimage.io package: .zip, folder or
 * rdf.yaml; or another source the class path offers) into the first user model folder, after its checks; it
 * then appears in Tessera Segment's model list. Recordable: {@code run("Import model...", "source=auto
 * package=/path/to/model.zip id=my-model");} ({@code id} may be empty; {@code replace} replaces an installed
 * model of that id).
 */
public class ImportModelPlugin implements PlugIn {

    static final String TITLE = "Import model";

    @Override
    public void run(String arg) {
        try {
            ModelZoo zoo = Tessera.zoo();
            List<String> sources = new ArrayList<>(List.of("auto"));
            for (ModelImporter i : ModelImports.importers())
                sources.add(i.name());
            GenericDialog gd = new GenericDialog(TITLE);
            gd.addChoice("Source", sources.toArray(String[]::new), "auto");
            gd.addFileField("Package", "", 40);
            gd.addStringField("Id", "", 20);
            gd.addCheckbox("Replace", false);
            gd.addMessage("Package: a .zip, a package folder or its rdf.yaml (bioimage.io), or a results folder.\n"
                    + "Id: leave empty to use the package's own. Installed into " + zoo.userDirectories().get(0));
            gd.showDialog();
            if (gd.wasCanceled())
                return;
            String source = gd.getNextChoice();
            String path = gd.getNextString().strip();
            String id = gd.getNextString().strip();
            boolean replace = gd.getNextBoolean();
            if (path.isEmpty())
                throw new InvalidInputException("Choose the package to import (a .zip, a package folder or its rdf.yaml)");
            Path file = Path.of(path);
            ModelImporter importer = source.equals("auto") ? ModelImports.detect(file) : ModelImports.importer(source);
            IJ.showStatus(TITLE + ": checking " + file.getFileName() + "...");
            Model m = ModelImports.run(importer, file, new ImportRequest(id.isEmpty() ? null : id, java.util.Map.of(), replace),
                    zoo, line -> IJ.log(TITLE + ": " + line));
            IJ.log(TITLE + ": installed '" + m.id() + "' at " + m.location() + "; choose it in Tessera Segment");
            IJ.showStatus(TITLE + ": installed " + m.id());
        } catch (RuntimeException e) {
            if (Macro.MACRO_CANCELED.equals(e.getMessage()))
                throw e;
            Reports.report(TITLE, e);
        }
    }
}
