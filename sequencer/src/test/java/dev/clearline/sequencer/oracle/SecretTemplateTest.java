package dev.clearline.sequencer.oracle;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Secrets in the price-source file: named as environment variables, expanded for the request, never shown. */
class SecretTemplateTest {
    @Test
    void variablesAreReplacedByTheirValuesAndTheRestIsLeftAsWritten() {
        Map<String, String> env = Map.of("A", "1", "KEY_2", "x$y\\z", "E", "");
        assertThat(SecretTemplate.expand("https://h/p?k=${A}&q=${KEY_2}${E}", env, "url")).isEqualTo("https://h/p?k=1&q=x$y\\z");
        assertThat(SecretTemplate.expand("$A ${ A} ${1A} $}", env, "url")).as("only ${NAME} is a variable").isEqualTo("$A ${ A} ${1A} $}");
        assertThatThrownBy(() -> SecretTemplate.expand("${A}${MISSING}", env, "market 1 source 2: url"))
                .hasMessageStartingWith("market 1 source 2: url refers to ${MISSING}, which is not set in the node's environment");
    }

    @Test
    void aShownUrlHidesUserInfoAndSecretNamedQueryValuesAndKeepsEverythingElse() {
        assertThat(SecretTemplate.shownUrl("https://user:pw@h.example:8443/v1/t?symbol=ETH&apiKey=abc&limit=5#top"))
                .isEqualTo("https://***@h.example:8443/v1/t?symbol=ETH&apiKey=***&limit=5#top");
        assertThat(SecretTemplate.shownUrl("https://h/t?token=${T}&access_token=zz&Signature=99&passphrase=p&auth=a&flag&x="))
                .isEqualTo("https://h/t?token=${T}&access_token=***&Signature=***&passphrase=***&auth=***&flag&x=");
        assertThat(SecretTemplate.shownUrl("http://h/path@x")).as("an @ in the path is not user info").isEqualTo("http://h/path@x");
        assertThat(SecretTemplate.shownUrl("http://h/p")).isEqualTo("http://h/p");
        assertThat(SecretTemplate.shownUrl("?apikey=abc")).as("a query with nothing before it (a refused URL's message shows it)")
                .isEqualTo("?apikey=***");
    }

    @Test
    void noSecretValueOfAnyNamingEverShows() {
        // random secret-looking parameter names around random values: the value never appears in what the log shows
        Property.forAll(Gens.elements("key", "apikey", "API_KEY", "x-token", "secret", "sig", "password", "Authorization"),
                Gens.strings(8, 24)).tries(300).check((name, value) -> {
            String v = value.replaceAll("[^A-Za-z0-9]", "q") + "Zz9";
            String shown = SecretTemplate.shownUrl("https://h/t?symbol=ETH&" + name + "=" + v + "&n=1");
            assertThat(shown).doesNotContain(v).contains("symbol=ETH", name + "=***", "&n=1");
        });
    }
}
