"""A WebSocket echo backend for the end-to-end tests (python `websockets`).

Prints `port N` once listening on 127.0.0.1 (port 0 picks a free one), then echoes every text and binary
message back unchanged until killed. Messages of any size are accepted.
"""

import argparse
import signal
import asyncio
import sys

from websockets.asyncio.server import serve


async def echo(connection):
    async for message in connection:
        await connection.send(message)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    arguments = parser.parse_args()
    async with serve(echo, "127.0.0.1", arguments.port, max_size=None, compression=None) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"port {port}", flush=True)
        await server.serve_forever()


if __name__ == "__main__":
    # The test runner may start us with SIGTERM ignored or blocked (both are inherited): stopping must still work.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM])
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
