"""A real OpenLDAP server (Debian's ``slapd``) in a temporary directory on a free port.

The directory is seeded with ``slapadd`` before ``slapd`` starts in the foreground; StartTLS
uses a certificate from the tests' openssl CA. ``make test`` installs slapd when missing.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.compat.conftest import free_port, make_tls_material

BASE = "dc=example,dc=org"
BIND_DN, BIND_PASSWORD = f"uid=reader,ou=users,{BASE}", "reader-pw"
PASSWORDS = {"alice": "alice-pw", "bob": "bob-pw", "carol": "carol-pw"}

_SEED = (
    f"""dn: {BASE}
objectClass: dcObject
objectClass: organization
o: Example
dc: example

dn: ou=users,{BASE}
objectClass: organizationalUnit
ou: users

dn: ou=groups,{BASE}
objectClass: organizationalUnit
ou: groups

dn: {BIND_DN}
objectClass: inetOrgPerson
uid: reader
cn: Reader
sn: R
userPassword: {BIND_PASSWORD}
"""
    + "".join(
        f"""
dn: uid={name},ou=users,{BASE}
objectClass: inetOrgPerson
uid: {name}
cn: {name.title()}
sn: {name[0].upper()}
userPassword: {password}
"""
        for name, password in PASSWORDS.items()
    )
    + f"""
dn: cn=devs,ou=groups,{BASE}
objectClass: groupOfNames
cn: devs
member: uid=alice,ou=users,{BASE}
member: uid=carol,ou=users,{BASE}

dn: cn=ops,ou=groups,{BASE}
objectClass: posixGroup
cn: ops
gidNumber: 5000
memberUid: alice
"""
)


@dataclass(frozen=True)
class LDAPServer:
    """A running slapd: its URL, CA certificate and process."""

    url: str
    ca_pem: str
    process: subprocess.Popen[bytes]
    log: Path


def _wait(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"slapd exited:\n{log.read_text(errors='replace')}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("slapd did not start")


@contextmanager
def running_slapd(workdir: Path) -> Iterator[LDAPServer]:
    """Seed and start slapd; stop it on exit."""
    slapd = shutil.which("slapd") or "/usr/sbin/slapd"
    slapadd = shutil.which("slapadd") or "/usr/sbin/slapadd"
    if not Path(slapd).exists():
        raise RuntimeError("slapd is required (make test installs it)")
    ca, cert, key = make_tls_material(workdir)
    (workdir / "data").mkdir()
    config = workdir / "slapd.conf"
    config.write_text(
        "".join(
            f"include /etc/ldap/schema/{s}.schema\n"
            for s in ("core", "cosine", "inetorgperson", "nis")
        )
        + "modulepath /usr/lib/ldap\nmoduleload back_mdb\n"
        + f"pidfile {workdir}/slapd.pid\n"
        + f"TLSCACertificateFile {ca}\nTLSCertificateFile {cert}\nTLSCertificateKeyFile {key}\n"
        + f'database mdb\nmaxsize 10485760\nsuffix "{BASE}"\n'
        + f'rootdn "cn=admin,{BASE}"\nrootpw admin-pw\ndirectory {workdir}/data\n'
    )
    seed = workdir / "seed.ldif"
    seed.write_text(_SEED)
    subprocess.run([slapadd, "-f", str(config), "-l", str(seed)], check=True, capture_output=True)
    port = free_port()
    log = workdir / "slapd.log"
    with log.open("wb") as handle:
        process = subprocess.Popen(
            [slapd, "-f", str(config), "-h", f"ldap://127.0.0.1:{port}/", "-d", "0"],
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait(port, process, log)
        yield LDAPServer(f"ldap://127.0.0.1:{port}", ca.read_text(), process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
