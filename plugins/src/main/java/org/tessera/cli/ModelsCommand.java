package org.tessera.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import org.tessera.unet.Model;
import org.tessera.unet.ModelCard;
import org.tessera.unet.ModelZoo;
import org.tessera.volume.classic.ClassicMethod;
import org.tessera.volume.classic.ClassicMethods;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "models", mixinStandardHelpOptions = true, description = { "List the models: id, 2D/3D, input channels, classes, and where each comes from; "
        + "then the classic methods (marked classic).", "--card ID prints a model's card, or a classic method's parameters." })
final class ModelsCommand extends Subcommand {

    @Mixin
    ModelOptions options;

    @Option(names = "--card", paramLabel = "ID", description = "Print this model's card (JSON) instead of the list.")
    String cardOf;

    @Override
    public Integer call() {
        PrintWriter out = out();
        ModelZoo zoo = options.zoo();
        if (cardOf != null && ClassicMethods.isClassic(cardOf)) {
            out.println(ClassicMethods.describe(ClassicMethods.get(cardOf)).stripTrailing());
            return ExitCodes.OK;
        }
        if (cardOf != null) {
            out.println(new String(options.model(cardOf).readFile(Model.CARD), StandardCharsets.UTF_8).strip());
            return ExitCodes.OK;
        }
        for (Model m : zoo.list()) {
            ModelCard c = m.card();
            out.printf("%-24s %dD  in: %-22s classes: %-40s %s%n", m.id(), c.dimensionality(),
                    String.join(",", c.input().channels()), String.join(",", c.output().classes()),
                    m.source() == Model.Source.SHIPPED ? "shipped" : m.location());
        }
        for (ClassicMethod m : ClassicMethods.all())
            out.printf("%-24s %s  in: %-22s classes: %-40s %s%n", ClassicMethods.PREFIX + m.name(), "2D/3D", "1 channel",
                    "by intensity (--param order=, names=)", "classic");
        zoo.tasks().forEach((task, id) -> out.printf("%-24s the recommended model for this task: %s%n", task, id));
        for (String problem : zoo.problems())
            err().println("tessera: skipped a model: " + problem);
        return ExitCodes.OK;
    }
}
