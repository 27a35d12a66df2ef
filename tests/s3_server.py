"""A real S3-compatible server over HTTP for the tests (moto's ThreadedMotoServer), and a TCP proxy that can cut
a connection mid-transfer. ``AIRFLOW_CONN_<ID>`` JSON of an Airflow connection to it (type aws: login = access
key, password = secret key, extra endpoint_url), as a user would point the delivery at MinIO or OBS."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tests.ports import free_port

ACCESS_KEY = "testing-access-key"
SECRET_KEY = "testing-secret-key-never-logged"


@dataclass
class S3Server:
    endpoint: str

    def connection_json(self, endpoint: str | None = None, **extra: object) -> str:
        return json.dumps({"conn_type": "aws", "login": ACCESS_KEY, "password": SECRET_KEY,
                           "extra": {"endpoint_url": endpoint or self.endpoint, "region_name": "us-east-1", **extra}})

    def client(self):  # boto3, to look at the buckets from outside
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id=ACCESS_KEY,
                            aws_secret_access_key=SECRET_KEY, region_name="us-east-1")


@contextmanager
def s3_server() -> Iterator[S3Server]:
    """moto's standalone S3 server on a free port, stopped on exit."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield S3Server(f"http://127.0.0.1:{port}")
    finally:
        server.stop()


class CuttingProxy:
    """Forwards 127.0.0.1:<port> to ``target``; while ``cut_after`` is set, the first connection that sends
    more than that many bytes upstream (``downstream``: receives them) is reset (RST) there and then, once."""

    def __init__(self, target_port: int, cut_after: int | None = None, *, downstream: bool = False) -> None:
        self.target_port = target_port
        self.downstream = downstream
        self.cut_after = cut_after
        self.cuts = 0
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            threading.Thread(target=self._pump, args=(client, upstream, not self.downstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, self.downstream), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, counting: bool) -> None:
        sent = 0
        try:
            while data := src.recv(65536):
                sent += len(data)
                if counting and self.cut_after is not None and sent > self.cut_after:
                    self.cut_after, self.cuts = None, self.cuts + 1
                    for sock in (src, dst):  # a connection reset, mid-upload
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                        sock.close()
                    return
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self.closed = True
        self.listener.close()
