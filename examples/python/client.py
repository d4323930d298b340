#!/usr/bin/python3
"""Submit a task to a Baton gateway, stream its events and print the final task.

Uses Debian's python3-grpcio and python3-grpc-tools. The stubs are generated from the repository's
proto/ directory at run time into a temporary directory, so nothing generated is checked in:

    sudo apt-get install -y python3-grpcio python3-grpc-tools
    /usr/bin/python3 examples/python/client.py --capability sleep --input '{"ms": 200}'

Exit status: 0 when the task SUCCEEDED, 1 when it ended otherwise, 2 for a usage error or a
failed call (the gRPC status is printed).
"""

import argparse
import json
import os
import re
import sys
import tempfile
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PROTO_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "proto"))
PROTO_FILES = ["baton/v1/task.proto", "baton/v1/task_service.proto"]


def _quiet_protoc(protoc, args):
    """protoc.main with the compiler's own stderr (fd 2) sent to /dev/null."""
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            return protoc.main(args)
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _supports_proto3_optional(protoc, work_dir):
    """True when the bundled protoc accepts `optional` in proto3 files (protoc 3.15+)."""
    probe_dir = os.path.join(work_dir, "probe")
    os.makedirs(probe_dir)
    with open(os.path.join(probe_dir, "probe.proto"), "w") as f:
        f.write('syntax = "proto3";\nmessage Probe { optional int32 x = 1; }\n')
    args = ["grpc_tools.protoc", "-I" + probe_dir, "--python_out=" + probe_dir, "probe.proto"]
    return _quiet_protoc(protoc, args) == 0


def _without_optional_labels(proto_dir, work_dir):
    """A copy of the protos without proto3 `optional` labels, for an older bundled protoc.

    Debian bookworm's python3-grpc-tools bundles protoc 3.5, which predates proto3 `optional`.
    Dropping the label keeps the wire format (an optional field is encoded exactly like a plain
    one); only presence tracking (HasField) of those fields is lost, and this example reads none.
    """
    copy_dir = os.path.join(work_dir, "proto")
    for name in PROTO_FILES:
        with open(os.path.join(proto_dir, name)) as f:
            text = re.sub(r"(?m)^(\s*)optional\s+", r"\1", f.read())
        target = os.path.join(copy_dir, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w") as f:
            f.write(text)
    return copy_dir


def generate_stubs(proto_dir, out_dir):
    """Runs protoc (bundled with grpc_tools) on Baton's protos into out_dir; raises on error."""
    import grpc_tools
    from grpc_tools import protoc

    work_dir = os.path.join(out_dir, "_work")
    if not _supports_proto3_optional(protoc, work_dir):
        proto_dir = _without_optional_labels(proto_dir, work_dir)
    # google/protobuf/*.proto (Timestamp, Duration) ship inside grpc_tools as _proto.
    well_known = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    args = [
        "grpc_tools.protoc",
        "-I" + proto_dir,
        "-I" + well_known,
        "--python_out=" + out_dir,
        "--grpc_python_out=" + out_dir,
    ] + PROTO_FILES
    if protoc.main(args) != 0:
        raise RuntimeError("protoc failed on %s" % proto_dir)


def timestamp_text(ts):
    """An RFC 3339 string for a set Timestamp field, else None."""
    if ts.seconds == 0 and ts.nanos == 0:
        return None
    return ts.ToJsonString()


def json_bytes(data):
    """UTF-8 JSON bytes as a Python value; empty bytes are None."""
    return json.loads(data.decode("utf-8")) if data else None


def describe_event(task_pb2, event):
    kind = event.WhichOneof("event")
    line = {"sequence": event.sequence, "time": timestamp_text(event.time), "type": kind}
    if kind == "state_change":
        change = event.state_change
        line["state"] = task_pb2.TaskState.Name(change.state)
        line["attempt"] = change.attempt
        if change.HasField("error"):
            line["error"] = change.error.message
        if change.result:
            line["result"] = json_bytes(change.result)
    elif kind == "progress":
        line["attempt"] = event.progress.attempt
        line["progress"] = json_bytes(event.progress.value)
    elif kind == "output":
        line["attempt"] = event.output.attempt
        line["chunk"] = json_bytes(event.output.chunk)
    return line


def describe_task(task_pb2, task):
    out = {
        "id": task.id,
        "capability": task.capability,
        "state": task_pb2.TaskState.Name(task.state),
        "attempt": task.attempt,
        "input": json_bytes(task.input),
        "result": json_bytes(task.result),
        "create_time": timestamp_text(task.create_time),
        "finish_time": timestamp_text(task.finish_time),
    }
    if task.HasField("error"):
        out["error"] = {"message": task.error.message, "code": task.error.code}
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description="Submit and watch a Baton task over gRPC.")
    parser.add_argument("--address", default=os.environ.get("BATON_SERVER", "127.0.0.1:50051"))
    parser.add_argument("--capability", default="sleep")
    parser.add_argument("--input", default='{"ms": 200}', help="task input as JSON")
    parser.add_argument(
        "--token",
        default=os.environ.get("BATON_TOKEN"),
        help="bearer token (default: $BATON_TOKEN)",
    )
    parser.add_argument("--tls-ca", help="PEM CA file: connect with TLS")
    parser.add_argument("--proto-dir", default=DEFAULT_PROTO_DIR)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait in total")
    args = parser.parse_args(argv)

    try:
        task_input = json.loads(args.input)
    except ValueError as err:
        print("--input: not valid JSON (%s)" % err, file=sys.stderr)
        return 2

    import grpc

    with tempfile.TemporaryDirectory(prefix="baton-py-") as out_dir:
        generate_stubs(args.proto_dir, out_dir)
        sys.path.insert(0, out_dir)
        from baton.v1 import task_pb2, task_service_pb2, task_service_pb2_grpc

        metadata = [("authorization", "Bearer " + args.token)] if args.token else []
        if args.tls_ca:
            with open(args.tls_ca, "rb") as f:
                channel = grpc.secure_channel(args.address, grpc.ssl_channel_credentials(f.read()))
        else:
            channel = grpc.insecure_channel(args.address)
        stub = task_service_pb2_grpc.TaskServiceStub(channel)
        try:
            # An idempotency key makes the submit safe to retry: the same key, the same task.
            response = stub.SubmitTask(
                task_service_pb2.SubmitTaskRequest(
                    capability=args.capability,
                    input=json.dumps(task_input).encode("utf-8"),
                    idempotency_key="python-example:" + str(uuid.uuid4()),
                ),
                metadata=metadata,
                timeout=30,
            )
            task = response.task
            print("submitted %s (%s)" % (task.id, task_pb2.TaskState.Name(task.state)), flush=True)

            # Events from the start, then live; the stream ends after the terminal state.
            # (A production client would resume with from_sequence = last sequence + 1 after
            # UNAVAILABLE; see the TypeScript client.)
            watch = stub.WatchTask(
                task_service_pb2.WatchTaskRequest(id=task.id),
                metadata=metadata,
                timeout=args.timeout,
            )
            for event in watch:
                print("event " + json.dumps(describe_event(task_pb2, event)), flush=True)

            final = stub.GetTask(
                task_service_pb2.GetTaskRequest(id=task.id), metadata=metadata, timeout=30
            )
        except grpc.RpcError as err:
            print("call failed: %s: %s" % (err.code().name, err.details()), file=sys.stderr)
            return 2
        finally:
            channel.close()

        print("final " + json.dumps(describe_task(task_pb2, final)), flush=True)
        return 0 if final.state == task_pb2.TASK_STATE_SUCCEEDED else 1


if __name__ == "__main__":
    sys.exit(main())
