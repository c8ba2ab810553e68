"""SOPS-compatible file encryption: files sealbox encrypts decrypt with Go sops, and back.

The package mirrors getsops/sops: an ordered tree (``tree``), the AES256_GCM value cipher
(``cipher``), the MAC (``mac``), the ``sops`` metadata block (``metadata``), one store per file
format (``formats/``), master keys (``keys/``), key groups (``keygroups``), ``.sops.yaml``
(``config``) and the command line (``cli``). Submodules are imported lazily so that the
``sealbox-sops`` console script starts fast.
"""

from __future__ import annotations
