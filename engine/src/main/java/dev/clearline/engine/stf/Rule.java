package dev.clearline.engine.stf;

import dev.clearline.engine.transition.Transition;

/**
 * One transition type's rule, in the twin order: 1. load, 2. authorise, 3. validate, 4. apply,
 * 5. check margin. Returns the rejection, or null after recording its writes in the view.
 */
interface Rule<T extends Transition> {
    Reject execute(StateView state, T t);
}
