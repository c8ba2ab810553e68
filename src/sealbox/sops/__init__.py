"""SOPS-compatible file encryption: files sealbox encrypts decrypt with Go sops, and back.

Mirrors getsops/sops (Go sops 3.11 is the reference where its documentation and behaviour
differ). The pieces, each in its own module:

- ``tree``: the ordered document tree (mappings keep order and comments; several documents);
- ``values``: the canonical bytes of scalars (what is encrypted and MAC'd), Go number formats;
- ``cipher``: the ``ENC[AES256_GCM,…]`` value envelope; ``walk``: encrypting a whole tree while
  computing the MAC; ``rules``: which values are encrypted; ``metadata``: the ``sops`` block;
- ``formats/``: one store per file format (YAML, JSON, dotenv, INI, binary);
- ``keys/`` and ``keygroups``: master keys and Shamir key groups (owned by the key sources);
- ``config``: ``.sops.yaml``; ``ops``: sealing and opening a file;
- ``cli``, ``options``, ``context``, ``commands``, ``edit``, ``rekey``, ``execs``: the
  ``sealbox-sops`` command line, which accepts Go sops's subcommands and its older flag form.

Submodules are imported lazily so that ``sealbox-sops`` starts fast.
"""

from __future__ import annotations
