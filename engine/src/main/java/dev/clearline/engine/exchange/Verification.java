package dev.clearline.engine.exchange;

import dev.clearline.engine.stf.Reject;

/** The verify stage's verdict on a signed request. */
public sealed interface Verification permits VerifiedOrder, VerifiedCancel, Verification.Refused {
    record Refused(Reject reason) implements Verification {}
}
