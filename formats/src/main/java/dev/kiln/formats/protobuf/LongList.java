package dev.kiln.formats.protobuf;

import java.util.Arrays;

/** A growable {@code long[]} for repeated fields, so decoding does not box every element. */
public final class LongList {
    private long[] a = new long[8];
    private int n;

    public void add(long v) {
        if (n == a.length) grow(n + 1);
        a[n++] = v;
    }

    /** Makes room for {@code extra} more values whose count was checked against the input's remaining bytes. */
    public void ensureExtra(long extra) {
        if ((long) n + extra > Integer.MAX_VALUE - 8) throw new IllegalStateException("repeated field of " + (n + extra) + " values is too long");
        if (n + extra > a.length) a = Arrays.copyOf(a, (int) (n + extra));
    }

    private void grow(int min) {
        if (n >= Integer.MAX_VALUE - 8) throw new IllegalStateException("repeated field is too long");
        a = Arrays.copyOf(a, (int) Math.min(Integer.MAX_VALUE - 8L, Math.max(min, 2L * a.length)));
    }

    public int size() { return n; }
    public long get(int i) { return a[i]; }
    public long[] toArray() { return Arrays.copyOf(a, n); }
}
