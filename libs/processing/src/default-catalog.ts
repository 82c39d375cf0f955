import { StepCatalog } from './catalog.js';
import { argmaxLabelStep } from './steps/argmax-label.js';
import { ctcDecodeStep } from './steps/ctc-decode.js';
import { normalizeStep } from './steps/normalize.js';
import { ocrBoxesStep } from './steps/ocr-boxes.js';
import { ocrCropLinesStep } from './steps/ocr-crop-lines.js';
import { ocrDetectorInputStep } from './steps/ocr-detector-input.js';
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
    .register(argmaxLabelStep)
    .register(ocrDetectorInputStep)
    .register(ocrBoxesStep)
    .register(ocrCropLinesStep)
    .register(ctcDecodeStep);
}
