"""The socket `serve` binds before serving: asyncio turns Nagle's algorithm off on a
connection only when the listening socket says it is TCP. With protocol 0 every
small answer waited on delayed ACKs, and the service answered a third as many
requests."""

from __future__ import annotations

import asyncio
import socket

from socialcredit.cli.service import _bind


def test_connections_to_the_bound_socket_have_nagle_off() -> None:
    listening = _bind("127.0.0.1", 0)
    port = listening.getsockname()[1]
    seen: list[int] = []

    async def main() -> None:
        async def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(accepted, sock=listening)
        async with server:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            for _ in range(100):
                if seen:
                    break
                await asyncio.sleep(0.01)
            writer.close()

    asyncio.run(main())
    assert listening.proto == socket.IPPROTO_TCP
    assert seen
    assert seen[0] != 0
