package org.tessera.fiji.scijava;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.tessera.fiji.ModelTables;
import org.tessera.fiji.Tessera;

/** The models Tessera can run (shipped and user ones), one per line: the SciJava face of Tessera Models. */
@Plugin(type = Command.class, menuPath = "Plugins>Tessera>SciJava>List Models")
public class ListModelsCommand extends TesseraCommand {

    @Parameter(label = "Model id for its card (empty: list all)", persist = false, required = false)
    private String card = "";

    @Parameter(type = ItemIO.OUTPUT)
    private String models;

    @Override
    protected void execute() {
        var zoo = Tessera.zoo();
        models = card == null || card.isBlank() ? TableText.of(ModelTables.modelsTable(zoo.list()))
                : ModelTables.card(card.strip());
    }
}
