import { programBuild } from '../../tsup.shared.ts';

export default programBuild();
