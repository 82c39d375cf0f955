import { StepCatalog } from './catalog.js';
import { argmaxLabelStep } from './steps/argmax-label.js';
import { normalizeStep } from './steps/normalize.js';
import { softmaxStep } from './steps/softmax.js';
import { tokenizeStep } from './steps/tokenize.js';
import { topKStep } from './steps/top-k.js';

/** A new catalog holding the built-in steps; register your own on it. */
export function defaultCatalog(): StepCatalog {
  return new StepCatalog()
    .register(tokenizeStep)
    .register(normalizeStep)
    .register(softmaxStep)
    .register(topKStep)
    .register(argmaxLabelStep);
}
