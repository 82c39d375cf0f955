import { fileURLToPath } from 'node:url';
import { freePort, spawnPeer, succeeds, type PeerEngine } from './peer-engine.js';

const SCRIPT = fileURLToPath(new URL('./ray_serve_mlp.py', import.meta.url));

/**
 * Ray Serve with 2 replicas and `@serve.batch` (ray_serve_mlp.py), at the manifest's batch size and
 * delay. Python packages come from PyPI, which this machine cannot reach: here it reports itself missing.
 */
export const rayServe: PeerEngine = {
  product: 'Ray Serve',
  name: 'Ray Serve, 2 replicas, @serve.batch',
  missing() {
    if (!succeeds('python3', ['-c', 'import ray.serve'])) return 'not installed (pip install "ray[serve]" needs PyPI, unreachable here)';
    if (!succeeds('python3', ['-c', 'import onnxruntime, numpy'])) return 'ray[serve] is installed but not onnxruntime and numpy for Python (pip install onnxruntime numpy)';
    return undefined;
  },
  async start(model) {
    const port = await freePort();
    return spawnPeer('python3', [SCRIPT, model.onnxPath, String(port), String(model.maxBatchSize), String(model.maxDelayMs)], `http://127.0.0.1:${port}`, model.probeBody);
  },
};
