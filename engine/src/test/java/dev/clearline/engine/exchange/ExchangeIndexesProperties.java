package dev.clearline.engine.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.order.Hash32;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

/**
 * The exchange's hand-written hash structures against java.util models. Keys come from a small
 * range so the same key is added, replaced and removed many times; the counts pass the initial
 * table size so growth and backward-shift deletion inside long probe runs both happen.
 */
class ExchangeIndexesProperties {

    @Test
    void hashIndexAgreesWithAHashMap() {
        Property.forAll(Gens.listOf(Gens.ints(0, 1_500), 1_500, 3_000)).tries(60).check(ops -> {
            HashIndex<dev.clearline.engine.order.Hash32, Integer> index = new HashIndex<>();
            Map<Hash32, Integer> model = new HashMap<>();
            int step = 0;
            for (int k : ops) {
                Hash32 key = hash(k);
                step++;
                if (k % 3 == 0 && model.containsKey(key)) {
                    index.remove(hash(k)); // an equal key, not the stored instance
                    model.remove(key);
                } else {
                    index.put(key, step);
                    model.put(key, step);
                }
                if (step % 97 == 0 || step == ops.size()) {
                    for (int probe = 0; probe <= 1_500; probe++) {
                        assertThat(index.get(hash(probe))).as("value of %d", probe).isEqualTo(model.get(hash(probe)));
                    }
                }
            }
        });
    }

    @Test
    void longMapAgreesWithAHashMap() {
        Property.forAll(Gens.listOf(Gens.ints(-1_000, 1_000), 1_500, 3_000)).tries(60).check(ops -> {
            LongMap<Integer> map = new LongMap<>();
            Map<Long, Integer> model = new HashMap<>();
            int step = 0;
            for (int k : ops) {
                long key = k * 4_096L; // multiples of a power of two: poor low bits, the hash must spread them
                step++;
                if (k % 3 == 0 && model.containsKey(key)) {
                    assertThat(map.remove(key)).isEqualTo(model.remove(key));
                } else {
                    map.put(key, step);
                    model.put(key, step);
                }
                if (step % 97 == 0 || step == ops.size()) {
                    for (int probe = -1_000; probe <= 1_000; probe++) {
                        assertThat(map.get(probe * 4_096L)).as("value of %d", probe).isEqualTo(model.get(probe * 4_096L));
                    }
                }
            }
            assertThat(map.remove(Long.MAX_VALUE)).isNull();
        });
    }

    @Test
    void usedNoncesAgreeWithAHashSet() {
        Property.forAll(Gens.listOf(Gens.ints(-300, 300), 50, 500), Gens.booleans()).tries(100).check((ops, increasing) -> {
            UsedNonces nonces = new UsedNonces();
            Set<Long> model = new HashSet<>();
            long base = 0;
            for (int k : ops) {
                // mostly rising nonces (the common case) or arbitrary ones, zero and negatives included
                long nonce = increasing ? base + k : k;
                base += 3;
                assertThat(nonces.contains(nonce)).as("nonce %d", nonce).isEqualTo(model.contains(nonce));
                if (k % 2 == 0) {
                    nonces.add(nonce);
                    model.add(nonce);
                }
            }
            for (long n : model) assertThat(nonces.contains(n)).isTrue();
        });
    }

    @Test
    void usedNoncesWithForgottenOnesAgreeWithAHashSetAndComeBackFromTheirImage() {
        Property.forAll(Gens.listOf(Gens.ints(-300, 300), 50, 600), Gens.booleans()).tries(100).check((ops, increasing) -> {
            UsedNonces nonces = new UsedNonces();
            Set<Long> model = new HashSet<>();
            long base = 0;
            long lastAdded = 0;
            int step = 0;
            for (int k : ops) {
                long nonce = increasing ? base + k : k;
                base += 3;
                step++;
                assertThat(nonces.contains(nonce)).as("nonce %d", nonce).isEqualTo(model.contains(nonce));
                switch (Math.floorMod(k, 3)) {
                    case 0 -> {
                        nonces.add(nonce);
                        model.add(nonce);
                        lastAdded = nonce;
                    }
                    case 1 -> {
                        // forget the nonce used last (the highest, when rising), one used before (the same nonce may have been
                        // recorded twice), or one never used
                        long old = k % 4 == 1 ? lastAdded : model.isEmpty() || k % 2 == 0 ? nonce : model.iterator().next();
                        nonces.remove(old);
                        model.remove(old);
                    }
                    default -> { }
                }
                if (step % 50 == 0) {
                    // a restored set answers as the original, and writes the same image again
                    dev.clearline.engine.image.ImageWriter w = new dev.clearline.engine.image.ImageWriter();
                    nonces.writeImage(w);
                    UsedNonces back = new UsedNonces();
                    back.readImage(new dev.clearline.engine.image.ImageReader(w.toByteArray()));
                    dev.clearline.engine.image.ImageWriter again = new dev.clearline.engine.image.ImageWriter();
                    back.writeImage(again);
                    assertThat(again.toByteArray()).isEqualTo(w.toByteArray());
                    nonces = back;
                }
            }
            for (long n : model) assertThat(nonces.contains(n)).isTrue();
            assertThat(nonces.size()).isEqualTo(model.size());
        });
    }

    @Test
    void aSetHalfFullComesBackFromItsImage() {
        LongSet set = new LongSet();
        for (long v = 1; v <= 8; v++) set.add(v * 31);
        dev.clearline.engine.image.ImageWriter w = new dev.clearline.engine.image.ImageWriter();
        set.writeImage(w);
        LongSet back = new LongSet();
        back.readImage(new dev.clearline.engine.image.ImageReader(w.toByteArray())); // 8 values in 16 slots: the fullest a table gets
        assertThat(back.size()).isEqualTo(8);
    }

    @Test
    void aNewAccountsNoncesComeBackFromTheirImage() {
        dev.clearline.engine.image.ImageWriter w = new dev.clearline.engine.image.ImageWriter();
        new UsedNonces().writeImage(w); // nothing used: no highest nonce, and none is needed
        UsedNonces back = new UsedNonces();
        back.readImage(new dev.clearline.engine.image.ImageReader(w.toByteArray()));
        assertThat(back.contains(0)).isFalse();
        assertThat(back.contains(Long.MIN_VALUE)).isFalse();
    }

    @Test
    void aNonceImageWithForgottenNoncesAndNoHighestIsRefused() {
        UsedNonces nonces = new UsedNonces();
        nonces.add(5);
        nonces.add(9);
        nonces.remove(5); // the log folded into the set: the image holds the set and the highest alone
        dev.clearline.engine.image.ImageWriter w = new dev.clearline.engine.image.ImageWriter();
        nonces.writeImage(w);
        byte[] b = w.toByteArray();
        new UsedNonces().readImage(new dev.clearline.engine.image.ImageReader(b));
        java.nio.ByteBuffer.wrap(b).putLong(0, Long.MIN_VALUE);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new UsedNonces().readImage(new dev.clearline.engine.image.ImageReader(b)))
                .isInstanceOf(dev.clearline.engine.image.ImageFormatException.class).hasMessageContaining("no highest nonce");
    }

    @Test
    void aNonceImageWhoseHighestIsBelowItsLogIsRefused() {
        UsedNonces nonces = new UsedNonces();
        nonces.add(5);
        nonces.add(9);
        dev.clearline.engine.image.ImageWriter w = new dev.clearline.engine.image.ImageWriter();
        nonces.writeImage(w);
        byte[] b = w.toByteArray();
        for (long highest : new long[] {9, 8}) {
            java.nio.ByteBuffer.wrap(b).putLong(0, highest); // the image starts with the highest nonce used
            UsedNonces back = new UsedNonces();
            if (highest == 9) back.readImage(new dev.clearline.engine.image.ImageReader(b));
            else {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> back.readImage(new dev.clearline.engine.image.ImageReader(b)))
                        .isInstanceOf(dev.clearline.engine.image.ImageFormatException.class).hasMessageContaining("the highest used nonce is 9");
            }
        }
    }

    @Test
    void longSetRemovalsKeepEveryValueWhereALookUpFindsIt() {
        // the same few hundred keys added and removed many times, through growth: removals from inside probe runs
        Property.forAll(Gens.listOf(Gens.ints(-200, 200), 100, 1_500)).tries(80).check(ops -> {
            LongSet set = new LongSet();
            Set<Long> model = new HashSet<>();
            for (int k : ops) {
                long v = Math.floorMod(k, 150) * 1_048_576L; // zero included: it lives apart from the table
                if (k < 0) assertThat(set.remove(v)).as("remove %d", v).isEqualTo(model.remove(v));
                else {
                    set.add(v);
                    model.add(v);
                }
                assertThat(set.size()).isEqualTo(model.size());
            }
            for (int k = 0; k < 150; k++) assertThat(set.contains(k * 1_048_576L)).as("%d", k).isEqualTo(model.contains(k * 1_048_576L));
            // the image check refuses a value a look-up would not find: a removal must leave none such
            dev.clearline.engine.image.ImageWriter w = new dev.clearline.engine.image.ImageWriter();
            set.writeImage(w);
            LongSet back = new LongSet();
            back.readImage(new dev.clearline.engine.image.ImageReader(w.toByteArray()));
            assertThat(back.size()).isEqualTo(model.size());
        });
    }

    private static Hash32 hash(int k) {
        byte[] b = new byte[32];
        b[0] = (byte) (k >>> 8);
        b[31] = (byte) k;
        return new Hash32(b);
    }
}
