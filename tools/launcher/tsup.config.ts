// The launcher is built like the apps so that `npm start` runs JavaScript, not TypeScript through tsx.
import { programBuild } from '../../tsup.shared.ts';

export default programBuild();
