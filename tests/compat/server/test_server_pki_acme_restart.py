"""ACME state on durable storage: a server stopped while validating a challenge resumes it.

The test's http-01 responder holds the first validation request open; the SQLite-backed
server is stopped meanwhile (the challenge is left ``processing``), restarted and unsealed.
Account, order and authorization survive; when the client next reads the authorization the
validation runs again, now answered, and the order finalizes.
"""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import subprocess
import threading
from pathlib import Path

import hvac
import pytest
from acme import challenges, client, crypto_util, messages
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from josepy.jwa import ES256
from josepy.jwk import JWKEC
from tests.compat.conftest import VENV_BIN, free_port, start_process, stop
from tests.compat.server.conftest import write_config

pytestmark = pytest.mark.compat


class _Holding(http.server.BaseHTTPRequestHandler):
    answer = ""
    hit = threading.Event()
    release = threading.Event()

    def do_GET(self) -> None:
        if not self.hit.is_set():
            self.hit.set()
            self.release.wait(30)
            return  # the first request never gets an answer
        self.send_response(200)
        self.end_headers()
        self.wfile.write(self.answer.encode())

    def log_message(self, *_args: object) -> None:
        pass


def _start(config: Path, port: int, workdir: Path) -> subprocess.Popen[bytes]:
    args = [str(VENV_BIN / "sealbox"), "server", f"-config={config}"]
    process, _ = start_process(args, f"http://127.0.0.1:{port}", workdir)
    return process


def test_validation_resumes_after_restart(tmp_path: Path) -> None:
    port, http01 = free_port(), free_port()
    address = f"http://127.0.0.1:{port}"
    responder = http.server.ThreadingHTTPServer(("127.0.0.1", http01), _Holding)
    threading.Thread(target=responder.serve_forever, daemon=True).start()
    config = write_config(tmp_path, port, f'storage "sqlite" {{\n  path = "{tmp_path}/s.db"\n}}')
    process = _start(config, port, tmp_path)
    try:
        root = hvac.Client(url=address)
        init = root.sys.initialize(secret_shares=1, secret_threshold=1)
        root.sys.submit_unseal_key(init["keys"][0])
        root.token = init["root_token"]
        root.sys.enable_secrets_engine("pki", path="pki")
        root.write_data("pki/root/generate/internal", data={"common_name": "Durable ACME CA"})
        root.write_data("pki/config/cluster", data={"path": f"{address}/v1/pki"})
        root.write_data("pki/config/acme", data={"enabled": True, "http_01_port": http01})
        key = JWKEC(key=ec.generate_private_key(ec.SECP256R1()))
        net = client.ClientNetwork(key, alg=ES256, user_agent="sealbox-tests")
        acme = client.ClientV2(
            client.ClientV2.get_directory(f"{address}/v1/pki/acme/directory", net), net
        )
        net.account = acme.new_account(
            messages.NewRegistration.from_data(terms_of_service_agreed=True)
        )
        leaf_key = ec.generate_private_key(ec.SECP256R1())
        pem = leaf_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        order = acme.new_order(
            crypto_util.make_csr(pem, [], ipaddrs=[ipaddress.ip_address("127.0.0.1")])
        )
        [challb] = order.authorizations[0].body.challenges
        assert isinstance(challb.chall, challenges.HTTP01)
        response, _Holding.answer = challb.response_and_validation(key)
        assert acme.answer_challenge(challb, response).body.status == messages.STATUS_PROCESSING
        assert _Holding.hit.wait(30)  # sealbox is now waiting on the held request
    finally:
        stop(process)
        _Holding.release.set()

    process = _start(config, port, tmp_path)
    try:
        hvac.Client(url=address).sys.submit_unseal_key(init["keys"][0])
        # the client's nonce died with the process: the client retries the badNonce itself
        deadline = datetime.datetime.now() + datetime.timedelta(seconds=60)  # noqa: DTZ005
        done = acme.poll_and_finalize(order, deadline)
        assert done.body.status == messages.STATUS_VALID
        assert "BEGIN CERTIFICATE" in done.fullchain_pem
    finally:
        stop(process)
        responder.shutdown()
        responder.server_close()
