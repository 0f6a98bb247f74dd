package dev.kiln.runtime.tune;

import java.io.PrintStream;

/** Progress callback of a tuning run. */
@FunctionalInterface
public interface Progress {
    void update(int done, int total, String label);

    Progress NONE = (d, t, l) -> {};

    /** A one-line text bar redrawn in place: {@code [#####.....]  12/40  label}. */
    static Progress bar(PrintStream out, String title) {
        return (done, total, label) -> {
            int w = 30, filled = total == 0 ? w : (int) ((long) w * done / total);
            String l = label.length() > 60 ? label.substring(0, 57) + "..." : label;
            out.print("\r" + title + " [" + "#".repeat(filled) + ".".repeat(w - filled) + "] " + done + "/" + total + "  " + l + "\u001b[K");
            if (done >= total) out.println();
            out.flush();
        };
    }
}
