"""The threaded HTTP server under `IndexServer`: tracks connections and threads so that it stops cleanly."""

from __future__ import annotations

import contextlib
import socket
import socketserver
import sys
import threading
from http.server import ThreadingHTTPServer
from typing import Any

from tests.indexserver.handler import IndexRequestHandler
from tests.indexserver.state import ServerState

# The client hanging up mid-answer is normal (a range reader closing early), not a server bug.
_CLIENT_GONE = (ConnectionError, TimeoutError, socket.timeout)


class IndexHTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its state, tracks its connections and threads, and never prints."""

    # Threads are joined by `close_all`, after their connections are shut down.
    daemon_threads = True
    block_on_close = False

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self._handler_threads: list[threading.Thread] = []
        super().__init__(("127.0.0.1", 0), IndexRequestHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        # Registered here, in the accepting thread, so that no connection escapes `close_all`.
        self.state.opened(request)
        self._handler_threads = [thread for thread in self._handler_threads if thread.is_alive()]
        thread = threading.Thread(
            target=self.process_request_thread, args=(request, client_address), daemon=True
        )
        self._handler_threads.append(thread)
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        self.state.closed(request)
        super().shutdown_request(request)

    def close_all(self) -> None:
        """Shut every open connection (waking threads that wait for a next request) and join the threads.

        Answers already under way (a slow fault woken by stopping) are let finish first.
        """
        self.state.wait_answered(timeout=10.0)
        for connection in self.state.open_connections():
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for thread in self._handler_threads:
            thread.join()
        self.server_close()

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up in DNS, which tests must not do.
        socketserver.TCPServer.server_bind(self)
        self.server_name = "127.0.0.1"
        self.server_port = self.server_address[1]

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if error is None or isinstance(error, _CLIENT_GONE):
            return
        if isinstance(error, OSError) and self.state.stopping.is_set():
            # Connections are being shut under answers still in flight.
            return
        self.state.failed(error)
