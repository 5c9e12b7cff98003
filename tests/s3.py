"""A throwaway S3 endpoint for the team-mode tests: moto's server in its own process, on
127.0.0.1 and a free port, and a fresh bucket per test. Nothing reaches any other address."""

from __future__ import annotations

import atexit
import json
import socket
import subprocess
import sys
import time
import urllib.request
import uuid

# moto accepts any credentials; real ones would come from AWS_* variables.
CREDENTIALS = {"key": "test", "secret": "test", "client_kwargs": {"region_name": "us-east-1"}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Endpoint:
    def __init__(self):
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        atexit.register(self.stop)  # also when the session ends without its teardown
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.url, timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"moto's S3 server did not start on {self.url}")

    def options(self) -> str:
        """TLAB_STORE_OPTIONS for this endpoint."""
        return json.dumps({"endpoint_url": self.url, **CREDENTIALS})

    def fresh_bucket(self) -> str:
        """An s3:// URL in a new, empty bucket."""
        import boto3

        bucket = f"tlab-{uuid.uuid4().hex[:12]}"
        boto3.client(
            "s3",
            endpoint_url=self.url,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            region_name="us-east-1",
        ).create_bucket(Bucket=bucket)
        return f"s3://{bucket}/team"

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
