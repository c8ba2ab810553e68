"""Read YAML into the ordered tree, keeping comments, key order and every document.

Go sops parses with go.yaml.in/yaml/v3 and turns head and line comments into ``Comment`` items
(stores/yaml/store.go). Files in the usual block style are read by ``yaml_fast`` without
importing PyYAML (its import alone costs more than encrypting a thousand values); everything
else goes through libyaml's event stream in ``yaml_events``. Both give the same tree.
"""

from __future__ import annotations

from sealbox.sops.formats.yaml_fast import Unsupported, load_fast
from sealbox.sops.tree import Branch


def load_documents(text: str) -> list[Branch]:
    """Parse every document of ``text``; raises InvalidInputError on bad YAML."""
    try:
        return load_fast(text)
    except Unsupported:
        pass
    from sealbox.sops.formats.yaml_events import load_events

    return load_events(text)
