package org.tessera.unet;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.tessera.volume.InvalidInputException;

/**
 * The models Tessera can run: shipped ones inside the jar, listed in {@value #INDEX}, each under
 * {@code org/tessera/unet/models/<id>/}; and user ones, each a sub-folder {@code <id>/} (card.json + model.onnx)
 * of a user model directory.
 * <p>
 * User directories: an explicit list (e.g. the CLI's {@code --models DIR}) if given; otherwise the
 * {@value #ENV} environment variable (a list separated by the platform's path separator); otherwise
 * {@code ~/.tessera/models}. The first directory receives imported models.
 * <p>
 * Same id twice: a user model wins over a shipped one (so a user can replace a shipped model with a retrained
 * one), and among user directories the earlier one wins. A user folder whose name is not its card's id is
 * skipped and reported in {@link #problems()}, as is any broken model; the rest stay usable.
 */
public final class ModelZoo {

    public static final String INDEX = "org/tessera/unet/models/index.txt";
    /** Task names ({@code nuclei-2d}, ...), each with the model recommended for it. */
    public static final String TASKS = "org/tessera/unet/models/tasks.txt";
    public static final String ENV = "TESSERA_MODELS";

    private final ClassLoader loader;
    private final List<Path> userDirs;
    private final List<String> problems = new ArrayList<>();

    /** @param userDirs user model directories, first = highest priority and import target */
    public ModelZoo(ClassLoader loader, List<Path> userDirs) {
        this.loader = loader;
        this.userDirs = List.copyOf(userDirs);
    }

    /** Shipped models plus the user directories from {@value #ENV} or {@code ~/.tessera/models}. */
    public static ModelZoo standard() {
        return standard(List.of());
    }

    /** Shipped models plus {@code explicitDirs}, or the default user directories when that list is empty. */
    public static ModelZoo standard(List<Path> explicitDirs) {
        return new ModelZoo(ModelZoo.class.getClassLoader(),
                userDirectories(explicitDirs, System.getenv(), System.getProperty("user.home")));
    }

    /** The user directories for an explicit list, an environment and a home folder (see the class comment). */
    public static List<Path> userDirectories(List<Path> explicitDirs, Map<String, String> env, String userHome) {
        if (!explicitDirs.isEmpty())
            return List.copyOf(explicitDirs);
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            List<Path> dirs = new ArrayList<>();
            for (String part : fromEnv.split(File.pathSeparator))
                if (!part.isBlank())
                    dirs.add(Path.of(part.strip()));
            return List.copyOf(dirs);
        }
        return List.of(Path.of(userHome, ".tessera", "models"));
    }

    public List<Path> userDirectories() {
        return userDirs;
    }

    /** The ids listed in the jar's index, in order; empty when there is no index. */
    public List<String> shippedIds() {
        return resourceLines(INDEX);
    }

    /**
     * Task names and the model each stands for ({@code nuclei-2d} -> the recommended fluorescence nuclei model),
     * in the order of {@value #TASKS}. A model whose id equals a task name is taken before the task.
     */
    public Map<String, String> tasks() {
        Map<String, String> tasks = new LinkedHashMap<>();
        for (String line : resourceLines(TASKS)) {
            String[] words = line.split("\\s+");
            if (words.length != 2)
                throw new IllegalStateException(TASKS + ": '" + line + "' is not 'task-name model-id'");
            tasks.put(words[0], words[1]);
        }
        return tasks;
    }

    /** The non-blank lines of a resource of the jar, without comment lines; empty when it is missing. */
    private List<String> resourceLines(String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null)
                return List.of();
            List<String> lines = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\R")) {
                String text = line.strip();
                if (!text.isEmpty() && !text.startsWith("#"))
                    lines.add(text);
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + resource + " from the Tessera jar", e);
        }
    }

    /** A shipped model by id, ignoring user models of the same id. */
    public Model shipped(String id) {
        Model m = Model.shipped(loader, "org/tessera/unet/models/" + id + "/");
        if (!m.id().equals(id))
            throw new InvalidInputException("Shipped model folder '" + id + "' holds a card with id '" + m.id()
                    + "'; the folder name and the card's id must be equal");
        return m;
    }

    /** Every usable model, sorted by id, user models replacing shipped ones of the same id. */
    public synchronized List<Model> list() {
        return new ArrayList<>(scan().values());
    }

    /** What the last {@link #list()} or {@link #get} found broken (one line each, naming the folder). */
    public synchronized List<String> problems() {
        return List.copyOf(problems);
    }

    /**
     * @throws InvalidInputException for an unknown id, listing the available ids and suggesting the closest
     */
    public synchronized Model get(String id) {
        Map<String, Model> models = scan();
        String target = tasks().getOrDefault(id, id);
        Model m = models.containsKey(id) ? models.get(id) : models.get(target);
        if (m != null)
            return m;
        if (models.isEmpty())
            throw new InvalidInputException("Unknown model '" + id + "': no models are installed. Put a model "
                    + "folder (card.json + model.onnx) into " + userDirs + " or name a folder with --models DIR"
                    + problemSuffix());
        List<String> names = new ArrayList<>(tasks().keySet());
        names.addAll(models.keySet());
        String closest = closest(id, names);
        throw new InvalidInputException("Unknown model '" + id + "'." + (closest != null ? " Did you mean '"
                + closest + "'?" : "") + " Available: " + String.join(", ", names) + problemSuffix());
    }

    private String problemSuffix() {
        return problems.isEmpty() ? "" : ". Skipped broken models: " + String.join("; ", problems);
    }

    private Map<String, Model> scan() {
        problems.clear();
        Map<String, Model> models = new TreeMap<>();
        for (String id : shippedIds()) {
            try {
                models.put(id, shipped(id));
            } catch (InvalidInputException e) {
                problems.add(e.getMessage());
            }
        }
        // Lowest priority first, so that earlier directories overwrite later ones.
        for (int i = userDirs.size() - 1; i >= 0; i--)
            for (Path folder : modelFolders(userDirs.get(i))) {
                try {
                    Model m = Model.fromFolder(folder, Model.Source.USER);
                    if (!m.id().equals(folder.getFileName().toString()))
                        throw new InvalidInputException("Model folder " + folder + " holds a card with id '"
                                + m.id() + "'; rename the folder to " + m.id() + " or change the card's id");
                    models.put(m.id(), m);
                } catch (InvalidInputException e) {
                    problems.add(e.getMessage());
                }
            }
        return models;
    }

    /** Sub-folders holding a card.json; hidden ones (e.g. an import in progress) are not models. */
    private static List<Path> modelFolders(Path dir) {
        List<Path> folders = new ArrayList<>();
        if (!Files.isDirectory(dir))
            return folders;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries)
                if (Files.isDirectory(p) && !p.getFileName().toString().startsWith(".")
                        && Files.exists(p.resolve(Model.CARD)))
                    folders.add(p);
        } catch (IOException e) {
            throw new InvalidInputException("Cannot list the model directory " + dir + ": " + e.getMessage(), e);
        }
        folders.sort(Comparator.naturalOrder());
        return folders;
    }

    /**
     * Validates a model folder (card, graph against card, golden pair when the card has one) and copies it into
     * the first user directory as {@code <id>/}. The copy is made in a hidden temporary folder beside the target
     * and then renamed, so a failed import leaves nothing behind. A user model may take a shipped model's id and
     * then replaces it.
     *
     * @param replace whether an installed user model with the same id may be replaced
     * @return the installed model
     * @throws InvalidInputException when the folder is not a valid model or the id is taken and !replace
     */
    public synchronized Model importModel(Path folder, boolean replace) {
        if (userDirs.isEmpty())
            throw new InvalidInputException("No user model directory to import into; give one with --models DIR");
        Model candidate = Model.fromFolder(folder, Model.Source.USER);
        try (OrtEngine engine = candidate.open(OrtEngine.Options.cpu(1))) {
            if (candidate.card().golden() != null)
                GoldenCheck.verify(candidate, engine);
        }
        Path dir = userDirs.get(0);
        Path target = dir.resolve(candidate.id());
        if (Files.exists(target) && !replace)
            throw new InvalidInputException("A model '" + candidate.id() + "' is already installed at " + target
                    + "; remove it first, choose to replace it, or give the new card another id");
        Path staging = null;
        Path old = null;
        try {
            Files.createDirectories(dir);
            staging = Files.createTempDirectory(dir, "." + candidate.id() + ".import-");
            try (Stream<Path> files = Files.list(folder)) {
                for (Path f : (Iterable<Path>) files::iterator)
                    if (Files.isRegularFile(f))
                        Files.copy(f, staging.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
            if (Files.exists(target)) {
                old = Files.createTempDirectory(dir, "." + candidate.id() + ".old-");
                Files.delete(old);
                move(target, old);
            }
            move(staging, target);
            staging = null;
            if (old != null)
                deleteTree(old);
        } catch (IOException e) {
            throw new InvalidInputException("Cannot import model '" + candidate.id() + "' into " + dir + ": "
                    + e.getMessage(), e);
        } finally {
            if (staging != null)
                deleteTree(staging);
        }
        return Model.fromFolder(target, Model.Source.USER);
    }

    /** {@link #importModel(Path, boolean)} without replacing. */
    public Model importModel(Path folder) {
        return importModel(folder, false);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // Best effort: a hidden leftover folder is ignored by list().
        }
    }

    /** The id closest to {@code id} by edit distance, or null when none is plausibly meant. */
    static String closest(String id, Iterable<String> ids) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : ids) {
            int d = distance(id.toLowerCase(), candidate.toLowerCase());
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return bestDistance <= Math.max(2, id.length() / 3) ? best : null;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++)
            prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++)
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1),
                        prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
