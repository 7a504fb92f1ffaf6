"""The gRPC backend of the end-to-end tests (python `grpcio`), implementing echo.proto.

Usage: grpc_server.py --stubs DIR [--port 0] [--tls CERT KEY]
Prints `port N` once serving on 127.0.0.1 (h2c, or TLS with ALPN h2 when --tls is given).
"""

import argparse
import signal
import sys
import time
from concurrent import futures

import grpc


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--stubs", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    arguments = parser.parse_args()
    sys.path.insert(0, arguments.stubs)
    import echo_pb2
    import echo_pb2_grpc

    class Echo(echo_pb2_grpc.EchoServicer):
        def Unary(self, request, context):
            return echo_pb2.EchoReply(text=request.text)

        def Fail(self, request, context):
            context.set_trailing_metadata((("x-gatehouse-detail", "failed on purpose"),))
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, request.text)

        def Chat(self, requests, context):
            for request in requests:
                yield echo_pb2.EchoReply(text=request.text)

        def Ticks(self, request, context):
            for index in range(request.count):
                if index > 0:
                    time.sleep(request.interval_ms / 1000)
                yield echo_pb2.Tick(index=index)

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    echo_pb2_grpc.add_EchoServicer_to_server(Echo(), server)
    address = f"127.0.0.1:{arguments.port}"
    if arguments.tls:
        with open(arguments.tls[0], "rb") as cert, open(arguments.tls[1], "rb") as key:
            credentials = grpc.ssl_server_credentials(((key.read(), cert.read()),))
        port = server.add_secure_port(address, credentials)
    else:
        port = server.add_insecure_port(address)
    server.start()
    print(f"port {port}", flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    # The test runner may start us with SIGTERM ignored or blocked (both are inherited): stopping must still work.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM])
    main()
