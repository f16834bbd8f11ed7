package dev.clearline.sequencer.oracle;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text from the price-source file that may name environment variables as {@code ${NAME}}: an
 * endpoint's URL (a key in its query) or a header's value (an API key). The file then holds no
 * secret, and the node's log shows the text as written, never the values: a price source is named
 * in every {@code event=price_refused} line, so a key written into its URL went into the log with
 * every refusal.
 */
final class SecretTemplate {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    /** Query parameters whose values are taken for secrets when written into the file as they are. */
    private static final Pattern SECRET_NAME = Pattern.compile(".*(key|token|secret|sig|pass|auth).*");

    private SecretTemplate() {}

    /**
     * {@code text} with each {@code ${NAME}} replaced by {@code env}'s value; an IllegalArgumentException
     * naming {@code where} and the variable when one is not set.
     */
    static String expand(String text, Map<String, String> env, String where) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.get(m.group(1));
            if (value == null) {
                throw new IllegalArgumentException(where + " refers to ${" + m.group(1) + "}, which is not set in the node's environment;"
                        + " export it before starting the node (the file names it so that it holds no secret)");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * A URL as the log shows it: as the file wrote it, variables by name, with the user and password
     * of its authority and the values of query parameters named like secrets ({@code apikey},
     * {@code token}, {@code signature}, ...) written as {@code ***} unless they are variables.
     */
    static String shownUrl(String template) {
        String shown = template.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#@]*@", "$1***@");
        int q = shown.indexOf('?');
        if (q < 0) return shown;
        int hash = shown.indexOf('#', q);
        String query = hash < 0 ? shown.substring(q + 1) : shown.substring(q + 1, hash);
        StringBuilder out = new StringBuilder(shown.substring(0, q + 1));
        String[] pairs = query.split("&", -1);
        for (int i = 0; i < pairs.length; i++) {
            if (i > 0) out.append('&');
            int eq = pairs[i].indexOf('=');
            if (eq < 0) {
                out.append(pairs[i]);
                continue;
            }
            String name = pairs[i].substring(0, eq);
            String value = pairs[i].substring(eq + 1);
            boolean secret = SECRET_NAME.matcher(name.toLowerCase(Locale.ROOT)).matches() && !VARIABLE.matcher(value).matches();
            out.append(name).append('=').append(secret ? "***" : value);
        }
        if (hash >= 0) out.append(shown.substring(hash));
        return out.toString();
    }
}
