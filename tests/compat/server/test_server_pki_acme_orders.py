"""ACME orders on a real sealbox server, driven by certbot's ``acme`` client library.

The flow the test serves itself: an order for the IP identifier 127.0.0.1 whose http-01
challenge a small web server in the test answers (the mount's ``http_01_port`` points there),
finalize, download. Then the error cases: a replayed or unknown nonce (badNonce, with a new
Replay-Nonce to retry with), a CSR for other names than the order's (badCSR), another
account's order (unauthorized), nobody answering the challenge (invalid), notBefore
(malformed), a role that does not allow the name (rejectedIdentifier), deactivated accounts,
key-change, EAB and revocation by the certificate's own key.
"""

from __future__ import annotations

import datetime
import http.server
import json
import socket
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import hvac
import josepy
import pytest
import requests
from acme import challenges, client, crypto_util, errors, jws, messages
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from josepy.jwa import ES256
from josepy.jwk import JWKEC
from tests.compat.conftest import ServerProcess, free_port
from tests.compat.server.conftest import unique

_ERR = "urn:ietf:params:acme:error:"


class _Responder(http.server.BaseHTTPRequestHandler):
    answers: dict[str, str] = {}

    def do_GET(self) -> None:
        token = self.path.rsplit("/", 1)[-1]
        body = self.answers.get(token)
        self.send_response(200 if body else 404)
        self.end_headers()
        self.wfile.write((body or "").encode())

    def log_message(self, *_args: object) -> None:
        pass


class _TxtServer:
    """A UDP DNS server answering TXT queries from ``records`` (name -> values)."""

    def __init__(self) -> None:
        self.records: dict[str, list[str]] = {}
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = int(self.sock.getsockname()[1])
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                packet, peer = self.sock.recvfrom(512)
            except OSError:
                return
            try:
                labels, i = [], 12
                while packet[i]:
                    labels.append(packet[i + 1 : i + 1 + packet[i]].decode())
                    i += 1 + packet[i]
            except (IndexError, UnicodeDecodeError):
                continue  # not a DNS query (a stray datagram on a reused port)
            question = packet[12 : i + 5]
            values = self.records.get(".".join(labels).lower(), [])
            flags = 0x8180 if values else 0x8183
            answer = packet[:2] + struct.pack("!HHHHH", flags, 1, len(values), 0, 0) + question
            for value in values:
                rdata = bytes([len(value)]) + value.encode()
                answer += struct.pack("!HHHIH", 0xC00C, 16, 1, 60, len(rdata)) + rdata
            self.sock.sendto(answer, peer)

    def close(self) -> None:
        self.sock.close()


@dataclass
class Acme:
    url: str  # the mount's URL
    root: hvac.Client
    mount: str
    answers: dict[str, str]
    dns: _TxtServer

    def new_client(self, key: JWKEC | None = None, directory: str = "acme") -> client.ClientV2:
        key = key or JWKEC(key=ec.generate_private_key(ec.SECP256R1()))
        net = client.ClientNetwork(key, alg=ES256, user_agent="sealbox-tests")
        found = client.ClientV2.get_directory(f"{self.url}/{directory}/directory", net)
        return client.ClientV2(found, net)

    def account(self, directory: str = "acme") -> client.ClientV2:
        acme = self.new_client(directory=directory)
        acme.net.account = acme.new_account(
            messages.NewRegistration.from_data(terms_of_service_agreed=True)
        )
        return acme


@pytest.fixture
def acme(root: hvac.Client, sealbox_server: ServerProcess) -> Iterator[Acme]:
    mount = unique("pki")
    root.sys.enable_secrets_engine("pki", path=mount)
    root.write_data(
        f"{mount}/root/generate/internal", data={"common_name": "Orders CA", "key_type": "ec"}
    )
    url = f"{sealbox_server.address}/v1/{mount}"
    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Responder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    dns = _TxtServer()
    root.write_data(f"{mount}/config/cluster", data={"path": url})
    root.write_data(
        f"{mount}/config/acme",
        data={"enabled": True, "http_01_port": port, "dns_resolver": f"127.0.0.1:{dns.port}"},
    )
    try:
        yield Acme(url, root, mount, _Responder.answers, dns)
    finally:
        dns.close()
        server.shutdown()
        server.server_close()
        root.sys.disable_secrets_engine(mount)


def _regr(acme_client: client.ClientV2) -> messages.RegistrationResource:
    regr = acme_client.net.account
    assert regr is not None
    return regr


def _key(acme_client: client.ClientV2) -> JWKEC:
    key = acme_client.net.key
    assert isinstance(key, JWKEC)
    return key


def _deadline() -> datetime.datetime:
    # the acme client compares deadlines with a naive datetime.now()
    return datetime.datetime.now() + datetime.timedelta(seconds=60)  # noqa: DTZ005


def _csr(*ips: str, names: tuple[str, ...] = ()) -> tuple[bytes, ec.EllipticCurvePrivateKey]:
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    csr = crypto_util.make_csr(pem, list(names), ipaddrs=[ipaddress.ip_address(i) for i in ips])
    return csr, key


def _answer_http01(acme: Acme, client_: client.ClientV2, order: messages.OrderResource) -> None:
    for authz in order.authorizations:
        for challb in authz.body.challenges:
            if isinstance(challb.chall, challenges.HTTP01):
                response, validation = challb.response_and_validation(client_.net.key)
                acme.answers[challb.chall.encode("token")] = validation
                client_.answer_challenge(challb, response)


def _ready_order(acme: Acme, client_: client.ClientV2) -> messages.OrderResource:
    csr, _ = _csr("127.0.0.1")
    order = client_.new_order(csr)
    assert order.body.status == messages.STATUS_PENDING
    [authz] = order.authorizations
    assert authz.body.identifier.value == "127.0.0.1"
    # IP identifiers get http-01 only (RFC 8738)
    assert [c.chall.typ for c in authz.body.challenges] == ["http-01"]
    _answer_http01(acme, client_, order)
    return client_.poll_authorizations(order, _deadline())


def _raw_post(
    url: str, payload: object, key: JWKEC, nonce: str, kid: str | None = None
) -> requests.Response:
    body = b"" if payload is None else json.dumps(payload).encode()
    signed = jws.JWS.sign(body, key, ES256, josepy.b64.b64decode(nonce), url=url, kid=kid)
    return requests.post(
        url,
        data=signed.json_dumps(),
        headers={"content-type": "application/jose+json"},
        timeout=10,
    )


def test_ip_order_validated_finalized_and_downloaded(acme: Acme) -> None:
    client_ = acme.account()
    order = _ready_order(acme, client_)
    assert all(a.body.status == messages.STATUS_VALID for a in order.authorizations)
    done = client_.poll_and_finalize(order, _deadline())
    assert done.body.status == messages.STATUS_VALID
    chain = x509.load_pem_x509_certificates(done.fullchain_pem.encode())
    assert [c.subject.rfc4514_string() for c in chain[1:]] == ["CN=Orders CA"]
    sans = chain[0].extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(ip) for ip in sans.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    # the account's orders list it; the served certificate is the mount's stored one
    account = client_._post(_regr(client_).uri, None).json()
    orders = client_._post(account["orders"], None).json()["orders"]
    assert done.uri in orders
    number = chain[0].serial_number
    serial = number.to_bytes((number.bit_length() + 7) // 8, "big").hex(":")
    stored = acme.root.read(f"{acme.mount}/cert/{serial}")["data"]["certificate"]
    assert x509.load_pem_x509_certificate(stored.encode()) == chain[0]


def test_bad_nonce_answers_a_fresh_nonce(acme: Acme) -> None:
    key = JWKEC(key=ec.generate_private_key(ec.SECP256R1()))
    url = f"{acme.url}/acme/new-account"
    fresh = requests.head(f"{acme.url}/acme/new-nonce", timeout=10).headers["replay-nonce"]
    payload = {"termsOfServiceAgreed": True}
    bad = _raw_post(url, payload, key, "bm90LWEtbm9uY2U")
    assert bad.status_code == 400
    assert bad.json()["type"] == _ERR + "badNonce"
    retry = bad.headers["replay-nonce"]
    assert retry
    assert retry != fresh
    assert _raw_post(url, payload, key, retry).status_code == 201
    # the nonce is used up: sending it again is badNonce
    replay = _raw_post(url, payload, key, retry)
    assert replay.json()["type"] == _ERR + "badNonce"


def test_csr_with_other_identifiers_is_bad_csr(acme: Acme) -> None:
    client_ = acme.account()
    order = _ready_order(acme, client_)
    wrong, _ = _csr("127.0.0.2")
    with pytest.raises(messages.Error) as problem:
        client_.finalize_order(order.update(csr_pem=wrong), _deadline())
    assert problem.value.typ == _ERR + "badCSR"
    # the order is still ready: the right CSR finalizes it
    assert client_.finalize_order(order, _deadline()).body.status == messages.STATUS_VALID


def test_other_accounts_order_is_not_there(acme: Acme) -> None:
    owner, intruder = acme.account(), acme.account()
    order = owner.new_order(_csr("127.0.0.1")[0])
    # as OpenBao: another account's order or authorization reads as one that does not exist
    for url in (order.uri, order.body.authorizations[0], f"{order.uri}/cert"):
        with pytest.raises(messages.Error) as problem:
            intruder._post(url, None)
        assert problem.value.typ == _ERR + "malformed"
        assert "does not exist" in str(problem.value.detail)
    with pytest.raises(messages.Error) as problem:
        intruder._post(_regr(owner).uri, None)
    assert problem.value.typ == _ERR + "unauthorized"
    assert owner._post(order.uri, None).json()["status"] == "pending"


def test_unanswered_challenge_goes_invalid(acme: Acme) -> None:
    client_ = acme.account()
    order = client_.new_order(_csr("127.0.0.1")[0])
    [authz] = order.authorizations
    [challb] = authz.body.challenges
    response, _validation = challb.response_and_validation(client_.net.key)
    answered = client_.answer_challenge(challb, response)  # the test server answers 404
    assert answered.body.status in (messages.STATUS_PROCESSING, messages.STATUS_INVALID)
    with pytest.raises(errors.ValidationError) as failed:
        client_.poll_authorizations(order, _deadline())
    [bad] = failed.value.failed_authzrs
    assert bad.body.status == messages.STATUS_INVALID
    error = bad.body.challenges[0].error
    assert error is not None
    assert error.typ == _ERR + "unauthorized"
    current = client_._post(order.uri, None).json()
    assert current["status"] == "invalid"


def test_not_before_is_refused_and_role_limits_names(acme: Acme) -> None:
    client_ = acme.account()
    url = client_.directory["newOrder"]
    nonce = requests.head(f"{acme.url}/acme/new-nonce", timeout=10).headers["replay-nonce"]
    payload = {
        "identifiers": [{"type": "dns", "value": "a.example.com"}],
        "notBefore": "2030-01-01T00:00:00Z",
    }
    refused = _raw_post(url, payload, _key(client_), nonce, kid=_regr(client_).uri)
    assert refused.json()["type"] == _ERR + "malformed"
    acme.root.write_data(
        f"{acme.mount}/roles/web", data={"allowed_domains": "example.com", "allow_subdomains": True}
    )
    scoped = acme.account(directory="roles/web/acme")
    order = scoped.new_order(_csr(names=("a.example.com",))[0])
    assert order.body.status == messages.STATUS_PENDING
    # the same account key through the default directory: the role's order is not there
    default = acme.new_client(_key(scoped))
    with pytest.raises(errors.ConflictError) as found:  # the client's way to say "exists"
        default.new_account(messages.NewRegistration(only_return_existing=True))
    default.net.account = messages.RegistrationResource(
        body=messages.Registration(), uri=found.value.location
    )
    order_id = order.uri.rsplit("/", 1)[-1]
    with pytest.raises(messages.Error) as problem:
        default._post(f"{acme.url}/acme/order/{order_id}", None)
    assert "not exist in this directory" in str(problem.value.detail)
    with pytest.raises(messages.Error) as problem:
        scoped.new_order(_csr(names=("a.example.org",))[0])
    assert problem.value.typ == _ERR + "rejectedIdentifier"


def test_deactivated_account_is_unauthorized(acme: Acme) -> None:
    client_ = acme.account()
    updated = client_.update_registration(
        _regr(client_), messages.UpdateRegistration(contact=("mailto:a@example.com",))
    )
    assert updated.body.contact == ("mailto:a@example.com",)
    gone = client_.deactivate_registration(_regr(client_))
    assert gone.body.status == "deactivated"
    with pytest.raises(messages.Error) as problem:
        client_.new_order(_csr("127.0.0.1")[0])
    assert problem.value.typ == _ERR + "unauthorized"


def test_key_change_moves_the_account(acme: Acme) -> None:
    client_ = acme.account()
    regr = _regr(client_)
    old_key = _key(client_)
    new_key = JWKEC(key=ec.generate_private_key(ec.SECP256R1()))
    url = client_.directory["keyChange"]
    inner_payload = {"account": regr.uri, "oldKey": old_key.public_key().to_partial_json()}
    inner = jws.JWS.sign(json.dumps(inner_payload).encode(), new_key, ES256, None, url=url)
    client_._post(url, inner)
    # the new key finds the account; the old one no longer does
    moved = acme.new_client(new_key)
    with pytest.raises(errors.ConflictError) as found:  # the client's way to say "exists"
        moved.new_account(messages.NewRegistration(only_return_existing=True))
    assert found.value.location == regr.uri
    stale = acme.new_client(old_key)
    with pytest.raises(messages.Error) as problem:
        stale.new_account(messages.NewRegistration(only_return_existing=True))
    assert problem.value.typ == _ERR + "accountDoesNotExist"


def test_eab_required_and_single_use(acme: Acme) -> None:
    acme.root.write_data(f"{acme.mount}/config/acme", data={"eab_policy": "new-account-required"})
    plain = acme.new_client()
    assert plain.external_account_required()
    with pytest.raises(messages.Error) as problem:
        plain.new_account(messages.NewRegistration.from_data(terms_of_service_agreed=True))
    assert problem.value.typ == _ERR + "externalAccountRequired"
    made = acme.root.write_data(f"{acme.mount}/acme/new-eab")["data"]
    assert made["key_type"] == "hs"
    assert made["acme_directory"] == "acme/directory"
    listed = acme.root.list(f"{acme.mount}/eab")["data"]
    assert listed["keys"] == [made["id"]]

    def register(acme_client: client.ClientV2) -> messages.RegistrationResource:
        binding = messages.ExternalAccountBinding.from_data(
            account_public_key=_key(acme_client).public_key(),
            kid=made["id"],
            hmac_key=made["key"],
            directory=acme_client.directory,
        )
        return acme_client.new_account(
            messages.NewRegistration.from_data(
                terms_of_service_agreed=True, external_account_binding=binding
            )
        )

    assert register(plain).body.status == "valid"
    with pytest.raises(messages.Error) as problem:
        register(acme.new_client())
    assert problem.value.typ == _ERR + "unauthorized"
    # without a token, new-eab is refused (it is an operator endpoint)
    assert requests.post(f"{acme.url}/acme/new-eab", timeout=10).status_code == 403


def test_revoke_with_the_certificate_key(acme: Acme) -> None:
    client_ = acme.account()
    order = _ready_order(acme, client_)
    csr, cert_key = _csr("127.0.0.1")
    done = client_.finalize_order(order.update(csr_pem=csr), _deadline())
    leaf = x509.load_pem_x509_certificates(done.fullchain_pem.encode())[0]
    # an unrelated account may not revoke it (malformed, as OpenBao answers)
    with pytest.raises(messages.Error) as problem:
        acme.account().revoke(leaf, 0)
    assert problem.value.typ == _ERR + "malformed"
    assert "did not order it" in str(problem.value.detail)
    holder = client.ClientV2(
        client_.directory, client.ClientNetwork(JWKEC(key=cert_key), alg=ES256)
    )
    holder.revoke(leaf, 0)
    with pytest.raises(messages.Error) as problem:
        client_.revoke(leaf, 0)
    assert problem.value.typ == _ERR + "alreadyRevoked"
    crl = x509.load_pem_x509_crl(requests.get(f"{acme.url}/crl/pem", timeout=10).content)
    assert crl.get_revoked_certificate_by_serial_number(leaf.serial_number) is not None


def test_dns01_wildcard_order(acme: Acme) -> None:
    client_ = acme.account()
    csr, _ = _csr(names=("*.wild.test",))
    order = client_.new_order(csr)
    [authz] = order.authorizations
    assert authz.body.identifier.value == "wild.test"
    assert authz.body.wildcard is True
    [challb] = authz.body.challenges
    assert isinstance(challb.chall, challenges.DNS01)
    response, validation = challb.response_and_validation(_key(client_))
    acme.dns.records["_acme-challenge.wild.test"] = ["unrelated", validation]
    client_.answer_challenge(challb, response)
    done = client_.poll_and_finalize(order, _deadline())
    leaf = x509.load_pem_x509_certificates(done.fullchain_pem.encode())[0]
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == ["*.wild.test"]


def test_dns01_without_the_record_is_invalid(acme: Acme) -> None:
    client_ = acme.account()
    order = client_.new_order(_csr(names=("none.test",))[0])
    [authz] = order.authorizations
    challb = next(c for c in authz.body.challenges if isinstance(c.chall, challenges.DNS01))
    client_.answer_challenge(challb, challb.response(_key(client_)))
    with pytest.raises(errors.ValidationError) as failed:
        client_.poll_authorizations(order, _deadline())
    error = failed.value.failed_authzrs[0].body.challenges[1].error
    assert error is not None
    assert "no matching TXT record" in str(error.detail)
