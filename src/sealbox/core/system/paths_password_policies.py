"""sys/policies/password/<name> and its ``generate`` endpoint (password-policies.mdx).

Answers as OpenBao's: a write validates the policy (400 with the reason) and answers 204;
reads of an unknown policy, and generating from one, are 404 ``policy does not exist``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sealbox.errors import InvalidRequest, NotFound
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.framework.path import segment
from sealbox.logical import Operation, Request, Response

if TYPE_CHECKING:
    from sealbox.core.password_policies import PasswordPolicyStore

_NAME = {"name": FieldSchema(FieldType.STRING, "Name of the password policy.")}
_FIELDS = {**_NAME, "policy": FieldSchema(FieldType.STRING, "The policy (HCL or JSON).")}


def paths(store: PasswordPolicyStore) -> list[Path]:
    """Password policy CRUD and generation."""

    async def list_policies(req: Request, d: FieldData) -> Response:
        del req, d
        return Response(data={"keys": await store.names()})

    async def read(req: Request, d: FieldData) -> Response:
        del req
        text = await store.read_text(d.get("name"))
        if text is None:
            raise NotFound("policy does not exist")
        return Response(data={"policy": text})

    async def write(req: Request, d: FieldData) -> Response | None:
        del req
        if not d.get("policy"):
            raise InvalidRequest("missing policy")
        await store.write(d.get("name"), d.get("policy"))
        return None

    async def delete(req: Request, d: FieldData) -> Response | None:
        del req
        await store.delete(d.get("name"))
        return None

    async def generate(req: Request, d: FieldData) -> Response:
        del req
        policy = await store.get(d.get("name"))
        if policy is None:
            raise NotFound("policy does not exist")
        return Response(data={"password": policy.generate()})

    return [
        Path(
            "policies/password/?",
            {},
            {Operation.LIST: list_policies},
            synopsis="List password policies.",
        ),
        Path(
            f"policies/password/{segment('name')}/generate",
            _NAME,
            {Operation.READ: generate},
            synopsis="Generate a password from a password policy.",
        ),
        Path(
            f"policies/password/{segment('name')}",
            _FIELDS,
            {Operation.READ: read, Operation.UPDATE: write, Operation.DELETE: delete},
            synopsis="Read, write or delete a password policy.",
        ),
    ]
