package dev.clearline.sequencer.poster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * What a node needs from a deployment manifest ({@code ./clearline deploy} writes it): the chain,
 * the rollup's address and the block it was deployed in (where the priority queue's history
 * starts). Read with the manifest's field names; the devnet module owns the full format.
 */
public record Deployment(long chainId, String rollup, long blockNumber) {
    /** Reads {@code file}; an IOException says what is wrong with it and what to do. */
    public static Deployment read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new IOException("no deployment manifest at " + file + "; deploy first (./clearline deploy) or pass --manifest with its path");
        }
        JsonNode m;
        try {
            m = new ObjectMapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new IOException("the manifest " + file + " is not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (m == null || !m.path("chainId").canConvertToLong() || !m.path("blockNumber").canConvertToLong()) {
            throw new IOException("the manifest " + file + " has no numeric chainId and blockNumber: is it a Clearline deployment manifest?");
        }
        for (JsonNode c : m.path("contracts")) {
            if (c.path("name").asText().equals("Rollup") && c.path("address").asText().matches("0x[0-9a-fA-F]{40}")) {
                return new Deployment(m.get("chainId").asLong(), c.get("address").asText(), m.get("blockNumber").asLong());
            }
        }
        throw new IOException("the manifest " + file + " names no Rollup contract; redeploy with ./clearline deploy");
    }
}
