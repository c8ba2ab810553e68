"""Talking to the LDAP server: finding the user, checking the password, reading groups.

Mirrors OpenBao's ldaputil client (client.go ``GetUserBindDN``, ``GetLdapGroups``): bind as
``binddn`` (or anonymously) to search ``userdn`` with ``userfilter`` for the user's DN (or, with
``upndomain``, bind as ``user@domain``); bind as that DN with the password; then search
``groupdn`` with ``groupfilter`` and read ``groupattr`` from each group (a value that is a DN
gives its first RDN's value, as OpenBao does). Values put into filters are escaped (RFC 4515).
ldap3 is synchronous, so each step runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import ssl

import ldap3
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import escape_rdn, parse_dn

from sealbox.auth.ldap.config import LDAPConfig
from sealbox.errors import InternalError, InvalidCredentials, InvalidRequest


def _filter(template: str, username: str, user_dn: str, user_attr: str) -> str:
    return (
        template.replace("{{.UserAttr}}", user_attr)
        .replace("{{.Username}}", escape_filter_chars(username))
        .replace("{{.UserDN}}", escape_filter_chars(user_dn))
    )


class Directory:
    """One login's conversation with the directory."""

    def __init__(self, config: LDAPConfig) -> None:
        self.config = config

    def _server(self, url: str) -> ldap3.Server:
        tls = ldap3.Tls(
            validate=ssl.CERT_NONE if self.config.insecure_tls else ssl.CERT_REQUIRED,
            ca_certs_data=self.config.certificate or None,
        )
        return ldap3.Server(
            url.strip(), use_ssl=url.strip().startswith("ldaps://"), tls=tls, connect_timeout=10
        )

    def _connect(self, user: str | None, password: str | None) -> ldap3.Connection:
        last: Exception | None = None
        for url in self.config.url.split(","):
            try:
                conn = ldap3.Connection(
                    self._server(url),
                    user=user,
                    password=password,
                    receive_timeout=self.config.request_timeout,
                    raise_exceptions=False,
                )
                conn.open()
                if self.config.starttls and not conn.start_tls():
                    raise InternalError("ldap operation failed: StartTLS failed")
                return conn
            except LDAPException as err:
                last = err
        raise InternalError("ldap operation failed: failed to connect to LDAP server") from last

    def _bind_search_connection(self) -> ldap3.Connection:
        conn = self._connect(self.config.binddn or None, self.config.bindpass or None)
        if not conn.bind():
            conn.unbind()
            raise InternalError("ldap operation failed: failed to bind as binddn")
        return conn

    def _user_dn(self, conn: ldap3.Connection, username: str) -> str:
        cfg = self.config
        if cfg.upndomain:
            return f"{username}@{cfg.upndomain}"
        if not cfg.binddn and not cfg.discoverdn:
            return f"{cfg.userattr}={escape_rdn(username)},{cfg.userdn}"
        query = _filter(cfg.userfilter, username, "", cfg.userattr)
        conn.search(cfg.userdn, query, ldap3.SUBTREE, attributes=[])
        found = [e["dn"] for e in conn.response or [] if e.get("type") == "searchResEntry"]
        if len(found) != 1:
            raise InvalidCredentials("ldap operation failed: failed to bind as user")
        return str(found[0])

    def _groups(self, conn: ldap3.Connection, username: str, user_dn: str) -> list[str]:
        cfg = self.config
        if not cfg.groupdn:
            return []
        query = _filter(cfg.groupfilter, username, user_dn, cfg.userattr)
        conn.search(cfg.groupdn, query, ldap3.SUBTREE, attributes=[cfg.groupattr])
        names: set[str] = set()
        for entry in conn.response or []:
            if entry.get("type") != "searchResEntry":
                continue
            values = entry.get("attributes", {}).get(cfg.groupattr) or []
            for value in values if isinstance(values, list) else [values]:
                text = str(value)
                if "=" in text and "," in text:
                    text = parse_dn(text)[0][1]
                names.add(text)
        return sorted(names)

    def _login(self, username: str, password: str) -> list[str]:
        search = self._bind_search_connection()
        try:
            user_dn = self._user_dn(search, username)
            user = self._connect(user_dn, password)
            try:
                if not user.bind():
                    raise InvalidCredentials("ldap operation failed: failed to bind as user")
            finally:
                user.unbind()
            if self.config.upndomain:
                user_dn = self._upn_dn(search, username) or user_dn
            return self._groups(search, username, user_dn)
        finally:
            search.unbind()

    def _upn_dn(self, conn: ldap3.Connection, username: str) -> str:
        upn = f"{username}@{self.config.upndomain}"
        conn.search(
            self.config.userdn,
            f"(userPrincipalName={escape_filter_chars(upn)})",
            ldap3.SUBTREE,
            attributes=[],
        )
        found = [e["dn"] for e in conn.response or [] if e.get("type") == "searchResEntry"]
        return str(found[0]) if len(found) == 1 else ""

    def _lookup(self, username: str) -> list[str]:
        search = self._bind_search_connection()
        try:
            return self._groups(search, username, self._user_dn(search, username))
        finally:
            search.unbind()

    async def login(self, username: str, password: str) -> list[str]:
        """Check ``password`` by binding as the user; the user's LDAP group names."""
        if not password and self.config.deny_null_bind:
            raise InvalidRequest(
                "password cannot be of zero length when passwordless binds are being denied"
            )
        return await asyncio.to_thread(self._login, username, password)

    async def groups(self, username: str) -> list[str]:
        """The user's LDAP group names now (for renewal), without the password."""
        return await asyncio.to_thread(self._lookup, username)
