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
                } catch (Exception e) {
                    err.println("kiln " + c.name() + ": " + e);
                    return 1;
                }
            }
        }
        err.println("kiln: unknown command '" + argv.get(0) + "' (see kiln --help)");
        return 2;
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
