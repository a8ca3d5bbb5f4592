package org.tessera.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

import org.tessera.planner.DatasetJson;
import org.tessera.planner.ExperimentPlanner;
import org.tessera.planner.Fingerprint;
import org.tessera.planner.PlannerPreset;
import org.tessera.planner.Plans;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "plan", mixinStandardHelpOptions = true, sortOptions = false, description = {
        "Plan nnU-Net v2 configurations (2d, 3d_fullres, 3d_lowres and cascade where they apply) from a dataset "
                + "fingerprint and dataset.json, with nnU-Net's default experiment planner or a residual-encoder preset.",
        "Prints a summary per configuration and writes the plans (nnUNetPlans.json, or nnUNetResEncUNet{M,L,XL}Plans.json "
                + "with --planner) atomically." })
final class PlanCommand extends Subcommand {

    @Option(names = "--fingerprint", required = true, paramLabel = "FILE", description = "dataset_fingerprint.json ('tessera fingerprint').")
    Path fingerprint;

    @Option(names = "--dataset-json", required = true, paramLabel = "FILE", description = "The data set's dataset.json.")
    Path datasetJson;

    @Option(names = "--planner", defaultValue = "ExperimentPlanner", paramLabel = "NAME",
            description = "nnU-Net planner (-pl): ExperimentPlanner (PlainConvUNet, default), or the residual-encoder presets "
                    + "nnUNetPlannerResEncM (8 GB), nnUNetPlannerResEncL (24 GB), nnUNetPlannerResEncXL (40 GB).")
    String planner;

    @Option(names = "--gpu-memory", paramLabel = "GB",
            description = "GPU memory target in GB; scales patch and batch size (default: the planner's own, 8 for ExperimentPlanner).")
    Double gpuMemory;

    @Option(names = "--name", paramLabel = "DatasetXXX_Name",
            description = "Data set name stored in the plans. Default: the folder holding dataset.json.")
    String name;

    @Option(names = { "-o", "--output" }, required = true, paramLabel = "FILE", description = "Plans to write (nnUNetPlans.json).")
    Path output;

    @Override
    public Integer call() {
        PrintWriter out = out();
        Fingerprint fp = Fingerprint.read(fingerprint);
        DatasetJson ds = DatasetJson.read(datasetJson);
        PlannerPreset preset = PlannerPreset.byName(planner);
        ExperimentPlanner planning = new ExperimentPlanner(fp, ds, datasetName(ds)).preset(preset);
        if (gpuMemory != null)
            planning.gpuMemoryGb(gpuMemory);
        Plans plans = planning.plan();
        plans.write(output);
        out.println(summary(plans));
        out.println("wrote " + output);
        return ExitCodes.OK;
    }

    private String datasetName(DatasetJson ds) {
        if (name != null && !name.isBlank())
            return name;
        Path parent = datasetJson.toAbsolutePath().getParent();
        if (parent != null && parent.getFileName() != null)
            return parent.getFileName().toString();
        return ds.name() != null ? ds.name() : "Dataset";
    }

    static String summary(Plans plans) {
        StringBuilder b = new StringBuilder();
        b.append(plans.datasetName()).append(" (").append(plans.experimentPlannerUsed()).append(", ")
                .append(plans.plansName()).append("): transpose ").append(Arrays.toString(plans.transposeForward()))
                .append("; sizes and spacings below are in array order after it\n");
        for (String config : plans.configurations().keySet()) {
            Plans.Configuration raw = plans.configuration(config);
            Plans.Configuration c = plans.resolved(config);
            b.append(String.format(Locale.ROOT, "%-19s patch %s, batch %d, spacing %s, %d stages", config,
                    Arrays.toString(c.patchSize()), c.batchSize(), Arrays.toString(round(c.spacing())),
                    c.architecture().nStages()));
            if (raw.inheritsFrom() != null)
                b.append(", as ").append(raw.inheritsFrom());
            if (c.previousStage() != null)
                b.append(", after ").append(c.previousStage());
            b.append('\n');
        }
        return b.toString().stripTrailing();
    }

    private static double[] round(double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++)
            r[i] = Math.round(v[i] * 1e4) / 1e4;
        return r;
    }
}
