package org.tessera.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.io.VolumeIO;
import org.tessera.volume.phantom.Phantoms;

/** The inputs of a run given as a list file. */
class InputsTest {

    @TempDir
    Path dir;

    @Test
    void aListFileNamesImagesRelativeToItsFolderInItsOrder() throws IOException {
        Path images = Files.createDirectories(dir.resolve("images"));
        for (String name : List.of("b.tif", "a.tif"))
            VolumeIO.write(Phantoms.nuclei2D(32, 32, 2, false, 1).image(), images.resolve(name));
        Path list = dir.resolve("cohort.txt");
        Files.write(list, List.of("# cohort", "images/b.tif", "", "  images/a.tif  "));
        assertTrue(Inputs.isList(list));
        assertTrue(SegmentationService.isBatch(list));
        assertEquals(List.of(images.resolve("b.tif"), images.resolve("a.tif")),
                Inputs.list(list).stream().map(p -> p.toAbsolutePath().normalize()).toList());

        Files.write(list, List.of("images/b.tif", "images/missing.tif"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Inputs.list(list));
        assertTrue(e.getMessage().contains("Line 2") && e.getMessage().contains("missing.tif")
                && e.getMessage().contains("does not exist"), e.getMessage());
        Files.write(list, List.of("# nothing"));
        assertThrows(InvalidInputException.class, () -> Inputs.list(list));
    }
}
