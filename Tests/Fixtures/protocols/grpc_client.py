"""The gRPC client of the end-to-end tests (python `grpcio`): calls echo.proto's service through the proxy.

Usage: grpc_client.py --stubs DIR --target 127.0.0.1:PORT --authority HOST [--tls CA] [--ticks N --interval-ms MS]
Prints one line per step: `ok NAME` or `fail NAME: reason` (and exits 1 at the first failure):
  unary    a unary call comes back with its text;
  status   a failing call arrives with its status (INVALID_ARGUMENT), message and trailing metadata;
  chat     a bidirectional stream: each message is answered before the next is sent, 20 times;
  ticks    a server stream of N ticks, one every MS milliseconds, all arrive in order.
"""

import argparse
import queue
import sys
import time

import grpc


def step(name, condition, detail=""):
    if not condition:
        print(f"fail {name}: {detail}", flush=True)
        sys.exit(1)
    print(f"ok {name}", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--stubs", required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--authority", required=True)
    parser.add_argument("--tls", metavar="CA")
    parser.add_argument("--ticks", type=int, default=3)
    parser.add_argument("--interval-ms", type=int, default=10)
    arguments = parser.parse_args()
    sys.path.insert(0, arguments.stubs)
    import echo_pb2
    import echo_pb2_grpc

    if arguments.tls:
        with open(arguments.tls, "rb") as ca:
            credentials = grpc.ssl_channel_credentials(root_certificates=ca.read())
        channel = grpc.secure_channel(
            arguments.target, credentials, options=(("grpc.ssl_target_name_override", arguments.authority),)
        )
    else:
        channel = grpc.insecure_channel(arguments.target, options=(("grpc.default_authority", arguments.authority),))
    grpc.channel_ready_future(channel).result(timeout=30)
    stub = echo_pb2_grpc.EchoStub(channel)

    reply = stub.Unary(echo_pb2.EchoRequest(text="hello, gatehouse"), timeout=30)
    step("unary", reply.text == "hello, gatehouse", repr(reply))

    try:
        stub.Fail(echo_pb2.EchoRequest(text="bad request: no such thing"), timeout=30)
        step("status", False, "the call succeeded")
    except grpc.RpcError as error:
        trailers = dict(error.trailing_metadata() or ())
        step(
            "status",
            error.code() == grpc.StatusCode.INVALID_ARGUMENT
            and error.details() == "bad request: no such thing"
            and trailers.get("x-gatehouse-detail") == "failed on purpose",
            f"{error.code()} {error.details()!r} {trailers}",
        )

    outgoing = queue.Queue()

    def requests():
        while True:
            item = outgoing.get()
            if item is None:
                return
            yield item

    replies = stub.Chat(requests(), timeout=60)
    answered = []
    for index in range(20):
        outgoing.put(echo_pb2.EchoRequest(text=f"message {index}"))
        answered.append(next(replies).text)
    outgoing.put(None)
    rest = list(replies)
    step("chat", answered == [f"message {index}" for index in range(20)] and rest == [], f"{answered} {rest}")

    started = time.monotonic()
    ticks = [tick.index for tick in stub.Ticks(echo_pb2.TickRequest(count=arguments.ticks, interval_ms=arguments.interval_ms), timeout=120)]
    elapsed = time.monotonic() - started
    step("ticks", ticks == list(range(arguments.ticks)), f"{ticks} after {elapsed:.1f} s")
    print(f"ticks-seconds {elapsed:.2f}", flush=True)


if __name__ == "__main__":
    main()
