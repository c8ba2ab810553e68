"""Errors of the SOPS package, each carrying Go sops's exit code (cmd/sops/codes/codes.go).

Messages never contain secret material: they name what failed, not the value. Key-source errors
(could not decrypt/encrypt/retrieve a data key) live in ``sealbox.sops.keys.base``; they are
``SopsError`` subclasses too (``MasterKeyError``), so the CLI has one place that turns any of them
into a message and the class's ``exit_code``, and no exit status is written as a literal.
"""

from __future__ import annotations

from typing import ClassVar


class SopsError(Exception):
    """Base class; ``exit_code`` is the process exit status Go sops uses for the same failure."""

    exit_code: ClassVar[int] = 1


class MetadataNotFoundError(SopsError):
    """The file has no ``sops`` metadata: it is not encrypted (Go: "sops metadata not found")."""


class NoMatchingRuleError(SopsError):
    """``.sops.yaml`` exists but no creation rule matches the file."""


class NoKeysError(SopsError):
    """No master keys were given by flags, environment or ``.sops.yaml``."""


class ConfigError(SopsError):
    """``.sops.yaml`` is unreadable or invalid."""


class PathNotFoundError(SopsError):
    """An ``--extract``/``unset`` path names something that is not in the tree."""


class CouldNotReadInputError(SopsError):
    exit_code = 2


class CouldNotWriteOutputError(SopsError):
    exit_code = 3


class DumpingTreeError(SopsError):
    """The tree cannot be written in the output format (codes.ErrorDumpingTree)."""

    exit_code = 4


class InvalidSetFormatError(SopsError):
    exit_code = 7


class ConflictingParametersError(SopsError):
    exit_code = 8


class EncryptingTreeError(SopsError):
    """A value the tree walk cannot encrypt (codes.ErrorEncryptingTree)."""

    exit_code = 23


class ValueDecryptError(SopsError):
    """A value is not a valid envelope or fails authentication (tampered or truncated)."""

    exit_code = 25


class KeyChangeOnMissingFileError(SopsError):
    exit_code = 49


class MacMismatchError(SopsError):
    exit_code = 51


class InvalidTreePathError(SopsError):
    exit_code = 91


class NoFileSpecifiedError(SopsError):
    exit_code = 100


class DuplicateDecryptionOrderError(SopsError):
    exit_code = 112


class FileUnchangedError(SopsError):
    exit_code = 200


class EditorError(SopsError):
    exit_code = 201


class AlreadyEncryptedError(SopsError):
    exit_code = 203


class EmptyFileError(SopsError):
    exit_code = 92


class InvalidInputError(SopsError):
    """The input cannot be parsed in its format (Go sops exits 1 for these load errors)."""


class UnsupportedCommandError(SopsError):
    """A Go sops subcommand that sealbox-sops does not implement (groups, publish, …)."""


class InterruptedByUserError(SopsError):
    """Ctrl-C: the status a shell reports for a process killed by SIGINT (128 + 2)."""

    exit_code = 130


class UnexpectedError(SopsError):
    """A failure with no sops meaning (a bug); only its type is shown, never its message."""
