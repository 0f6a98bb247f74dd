package dev.kiln.runtime.cli;

import dev.kiln.graph.KilnException;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Entry point of the `kiln` launcher: dispatches to one {@link Command}. */
public final class Main {
    private Main() {}

    /** Every subcommand, in the order `--help` lists them. */
    static List<Command> commands() {
        return List.of(new DemoCommand(), new EmbedCommand(), new InspectCommand(), new RunCommand(),
                new ConformanceCommand(), new BenchCommand(), new TuneCommand(), new CompileCommand());
    }

    public static void main(String[] argv) {
        System.exit(run(List.of(argv), System.out, System.err));
    }

    static int run(List<String> argv, PrintStream out, PrintStream err) {
        if (argv.isEmpty() || argv.get(0).equals("--help") || argv.get(0).equals("-h") || argv.get(0).equals("help")) {
            printHelp(out);
            return 0;
        }
        if (argv.get(0).equals("--version")) {
            out.println("kiln " + Version.VERSION + " (Java " + Runtime.version() + ")");
            return 0;
        }
        for (Command c : commands()) {
            if (c.name().equals(argv.get(0))) {
                try {
                    return c.run(new ArrayList<>(argv.subList(1, argv.size())), out, err);
                } catch (UsageException e) {
                    err.println("kiln " + c.name() + ": " + e.getMessage());
                    return 2;
                } catch (KilnException e) {
                    err.println("kiln " + c.name() + ": " + e.getMessage());
                    return 1;
                } catch (Exception | StackOverflowError | OutOfMemoryError e) {
                    // Never a stack trace: one line that names the file or the failure. I/O exceptions carry only
                    // a path as their message, so say what happened to it.
                    err.println("kiln " + c.name() + ": " + describe(e));
                    return 1;
                }
            }
        }
        err.println("kiln: unknown command '" + argv.get(0) + "' (see kiln --help)");
        return 2;
    }

    /** A one-line account of an unexpected failure, without Java class names where a plain phrase exists. */
    static String describe(Throwable e) {
        String m = e.getMessage();
        return switch (e) {
            case java.nio.file.NoSuchFileException x -> "no such file: " + m;
            case java.nio.file.FileAlreadyExistsException x -> "a file is in the way: " + m;
            case java.nio.file.NotDirectoryException x -> "not a directory: " + m;
            case java.nio.file.AccessDeniedException x -> "permission denied: " + m;
            case java.nio.file.FileSystemException x -> x.getFile() + ": " + (x.getReason() == null ? "file system error" : x.getReason());
            case java.io.IOException x -> "I/O error: " + m;
            case java.io.UncheckedIOException x -> (m == null ? "" : m + ": ") + describe(x.getCause());
            case OutOfMemoryError x -> "out of memory (" + m + "); try a larger -Xmx";
            case StackOverflowError x -> "the model nests too deeply (stack overflow)";
            default -> "internal error (" + e.getClass().getSimpleName() + (m == null ? ")" : "): " + m.lines().findFirst().orElse(""));
        };
    }

    static void printHelp(PrintStream out) {
        out.println("Kiln " + Version.VERSION + " - a pure-Java tensor runtime and compiler for ML inference");
        out.println();
        out.println("usage: kiln <command> [options]");
        out.println();
        for (Command c : commands()) out.printf("  %-12s %s%n", c.name(), c.summary());
        out.printf("  %-12s %s%n", "test", "run the whole test suite (mvn verify) with the JDK the launcher found");
        out.println();
        out.println("  --help       this list;  --version  print the version");
    }
}
