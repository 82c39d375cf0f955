"""A KServe v2 gRPC client written against the protocol only: Debian's python3-grpcio with stubs that
python3-grpc-tools generated from the .proto infermesh ships (grpc_service_pb2*, in STUBS_DIR).

Usage: grpc_client.py STUBS_DIR HOST:PORT
Calls ServerLive, ModelMetadata (mlp), ModelInfer (mlp, FP32 in raw_input_contents; sentiment, BYTES
with 4-byte length prefixes), and Triton's extension calls ModelConfig, RepositoryIndex and ModelStatistics (mlp), and
prints one JSON object with what came back, for the test to check.
"""
import json
import struct
import sys

sys.path.insert(0, sys.argv[1])
import grpc  # noqa: E402
import grpc_service_pb2 as pb  # noqa: E402
import grpc_service_pb2_grpc as pb_grpc  # noqa: E402


def bytes_elements(texts):
    return b"".join(struct.pack("<I", len(t.encode())) + t.encode() for t in texts)


def bytes_values(raw):
    out, at = [], 0
    while at < len(raw):
        (length,) = struct.unpack_from("<I", raw, at)
        out.append(raw[at + 4 : at + 4 + length].decode())
        at += 4 + length
    return out


def main():
    channel = grpc.insecure_channel(sys.argv[2])
    stub = pb_grpc.GRPCInferenceServiceStub(channel)
    result = {"live": stub.ServerLive(pb.ServerLiveRequest(), timeout=10).live}

    meta = stub.ModelMetadata(pb.ModelMetadataRequest(name="mlp"), timeout=10)
    result["metadata"] = {
        "name": meta.name,
        "versions": list(meta.versions),
        "platform": meta.platform,
        "inputs": [{"name": t.name, "datatype": t.datatype, "shape": list(t.shape)} for t in meta.inputs],
        "outputs": [{"name": t.name, "datatype": t.datatype, "shape": list(t.shape)} for t in meta.outputs],
    }

    values = [float(v) for v in json.loads(sys.stdin.read())]
    request = pb.ModelInferRequest(model_name="mlp", id="py-1")
    tensor = request.inputs.add()
    tensor.name, tensor.datatype = "input", "FP32"
    tensor.shape.extend([1, 64])
    request.raw_input_contents.append(struct.pack("<64f", *values))
    answer = stub.ModelInfer(request, timeout=10)
    out = answer.outputs[0]
    result["mlp"] = {
        "id": answer.id,
        "model_version": answer.model_version,
        "name": out.name,
        "datatype": out.datatype,
        "shape": list(out.shape),
        "data": list(struct.unpack("<%df" % (len(answer.raw_output_contents[0]) // 4), answer.raw_output_contents[0])),
    }

    texts = ["I love this movie", "what a terrible day"]
    request = pb.ModelInferRequest(model_name="sentiment")
    tensor = request.inputs.add()
    tensor.name, tensor.datatype = "text", "BYTES"
    tensor.shape.extend([len(texts)])
    request.raw_input_contents.append(bytes_elements(texts))
    request.outputs.add().name = "label"
    answer = stub.ModelInfer(request, timeout=10)
    result["sentiment"] = {"labels": bytes_values(answer.raw_output_contents[0]), "datatype": answer.outputs[0].datatype}

    request.model_name = "nope"
    try:
        stub.ModelInfer(request, timeout=10)
        result["unknown"] = "answered"
    except grpc.RpcError as error:
        codes = dict(error.trailing_metadata() or ())
        result["unknown"] = {"code": error.code().name, "details": error.details(), "im_code": codes.get("im-code")}

    config = stub.ModelConfig(pb.ModelConfigRequest(name="mlp"), timeout=10).config
    result["config"] = {
        "name": config.name,
        "max_batch_size": config.max_batch_size,
        "input": [{"name": t.name, "data_type": pb.DataType.Name(t.data_type), "dims": list(t.dims)} for t in config.input],
        "scheduling": config.WhichOneof("scheduling_choice"),
        "instance_kind": pb.ModelInstanceGroup.Kind.Name(config.instance_group[0].kind),
    }

    index = stub.RepositoryIndex(pb.RepositoryIndexRequest(ready=True), timeout=10)
    result["index"] = [{"name": m.name, "version": m.version, "state": m.state, "reason": m.reason} for m in index.models]

    stats = stub.ModelStatistics(pb.ModelStatisticsRequest(name="mlp", version="1"), timeout=10).model_stats[0]
    result["stats"] = {
        "name": stats.name,
        "version": stats.version,
        "inference_count": stats.inference_count,
        "execution_count": stats.execution_count,
        "success": stats.inference_stats.success.count,
        "batch_sizes": [b.batch_size for b in stats.batch_stats],
    }

    print(json.dumps(result))


main()
