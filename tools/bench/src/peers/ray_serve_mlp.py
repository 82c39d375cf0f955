"""The Ray Serve peer of the bench's plain-server scenario (tools/bench/src/peers/ray-serve.ts).

The same ONNX MLP behind the Open Inference Protocol's path (POST /v2/models/mlp/infer, KServe v2 JSON),
on 2 replicas with @serve.batch, one ONNX Runtime thread per replica as the infermesh workers run theirs.
Prints one JSON line when it answers. Needs `ray[serve]`, `onnxruntime` and `numpy` (pip, PyPI).

usage: python3 ray_serve_mlp.py MODEL.onnx PORT MAX_BATCH WAIT_MS
"""
import json
import signal
import sys
import threading

import numpy as np
import onnxruntime as ort
from ray import serve
from starlette.requests import Request
from starlette.responses import JSONResponse

MODEL, PORT, MAX_BATCH, WAIT_MS = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])


@serve.deployment(num_replicas=2, ray_actor_options={"num_cpus": 0})
class Mlp:
    def __init__(self, path: str) -> None:
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])

    @serve.batch(max_batch_size=MAX_BATCH, batch_wait_timeout_s=WAIT_MS / 1000)
    async def infer(self, rows: list) -> list:
        batch = np.concatenate(rows, axis=0)
        out = self.session.run(["output"], {"input": batch})[0]
        answers, at = [], 0
        for r in rows:
            answers.append(out[at : at + r.shape[0]])
            at += r.shape[0]
        return answers

    async def __call__(self, request: Request) -> JSONResponse:
        try:
            body = await request.json()
            tensor = body["inputs"][0]
            rows = np.asarray(tensor["data"], dtype=np.float32).reshape(tensor["shape"])
        except Exception as error:  # the protocol's error body, as the plain server answers it
            return JSONResponse({"error": str(error), "code": "IM_BAD_REQUEST"}, status_code=400)
        out = await self.infer(rows)
        return JSONResponse({
            "model_name": "mlp",
            "model_version": "1",
            "outputs": [{"name": "output", "datatype": "FP32", "shape": list(out.shape), "data": out.ravel().tolist()}],
        })


serve.start(http_options={"host": "127.0.0.1", "port": PORT})
serve.run(Mlp.bind(MODEL), route_prefix="/v2/models/mlp/infer")
print(json.dumps({"level": 30, "msg": "peer listening", "port": PORT}), flush=True)
stopped = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stopped.set())
signal.signal(signal.SIGINT, lambda *_: stopped.set())
stopped.wait()
serve.shutdown()
