package org.elasticsearch.io.ansi;

import java.util.function.Supplier;

/**
 * Stands in for the distribution's ANSI console library, which the server loads by this name from
 * lib/tools/ansi-console. Returning no console makes the server log to files only, which is what a
 * background test node wants.
 */
public final class AnsiConsoleLoader implements Supplier<Object> {
    @Override
    public Object get() {
        return null;
    }
}
