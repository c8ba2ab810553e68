"""Values that look like secrets but are published, and the context that makes a key public.

Google API keys (``AIza...``) are secrets when they sit in server code, but two kinds are not:

- keys that Google publishes as examples in its open-source Firebase SDKs' test fixtures, which
  then appear in every vendored copy of those SDKs (seven of them are the valid-format cases of
  firebase-js-sdk's installations precondition test; the set as a whole is the one gitleaks
  lists as firebase-android-sdk example keys). They are exact public strings, recognised here by
  their SHA-256 digest so that this file holds nothing key-shaped (push protection and other
  scanners would flag the plain strings). A digest matches only that exact published value.
- a Firebase *client configuration* (the web SDK's ``firebaseConfig = {apiKey, authDomain,
  projectId, messagingSenderId, appId}``, ``google-services.json``, ``GoogleService-Info.plist``):
  Firebase documents that this ``apiKey`` only identifies the project and is meant to ship inside
  the client app (access is governed by Security Rules and App Check), so a key with those
  fields around it is not a finding. The same key anywhere else still is.
"""

from __future__ import annotations

import hashlib

PUBLIC_VALUE_DIGESTS: frozenset[str] = frozenset(
    {
        "f56e323494a6ffc2064e7a955908957d84f0755e5f975dabd64328d0359a8f7c",
        "2037abcaffb2b77785da716cf7ccff4ff4d00c4ea930db0167b7d71f50af7eb4",
        "3f370c9dd8225c63b5c77de1f785edc9712958f18bb612d5fa2e0ae33aeca682",
        "e4a5542bb7fd7b67e943c71ad29c34b5972c9840597e7eda53e666f44d5da0b9",
        "a19f89ab3555eac10c40741f6df79ecf0935998f15569f8db9d67bce0181fff6",
        "0b476bdf9acf2123d547b5ae76f1e59884d8ec9553ee0c47e9f31fd4768f3f3c",
        "eb540d2b6ee2a0a47c5779bc8a0141784c6b753840d4c6f4e2428a6e86e9e0b1",
        "37f8f09bdf12c2f2eae4ead7273a62ddb0c23459cbf902892f282b57f7ed6619",
        "8731261cb72d86267a32a532ebd3df429e2144e5e4ced7e13568bc9e6c8fb1b1",
        "49f777db995e8260da7ca9ffdf0c08d66f0453e97ec967018baf2cdfe3b582d0",
        "27a9a42931dff7eb2f8434e20a9bce976ea364e7bee49187f19d5cfeca9c7045",
        "dc0fcf046c61640cbd1e8b999ada3262d722c2ca4bf42dceac999020ffdbb614",
        "4c98242dcadc8b29005c6b4aad526552d5ea1842149154c0694adeec75847583",
        "ea9bb1082cf95663f5faca23b8b15ef2aa0fce0a5c6df9c32dcb85b2e0a4513d",
        "3a8b61d0f636b007840c0d40ba12bcf48465dc054cdc1a68704a33521d84b665",
        "a6c814bc555ae62c7bd8b58ec07bf559c7ed3a009976a1e0acc9cef0d4473b41",
    }
)


def is_published(secret: str) -> bool:
    """Whether ``secret`` is one of the published example values above."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest() in PUBLIC_VALUE_DIGESTS


# Fields that only occur in a Firebase client configuration. One of them within the context
# window of an AIza key marks the key as that configuration's public identifier:
# the web SDK object (authDomain, messagingSenderId, *.firebaseapp.com), google-services.json
# (current_key, firebase_url, mobilesdk_app_id) and GoogleService-Info.plist (GCM_SENDER_ID,
# GOOGLE_APP_ID).
FIREBASE_CONFIG_CONTEXT: tuple[str, ...] = (
    r"(?i)\bauthDomain\b",
    r"(?i)\bmessagingSenderId\b",
    r"(?i)[a-z0-9-]+\.firebaseapp\.com\b",
    r"(?i)[a-z0-9-]+\.firebaseio\.com\b",
    r"\"(?:current_key|firebase_url|mobilesdk_app_id)\"\s*:",
    r"<key>(?:GCM_SENDER_ID|GOOGLE_APP_ID)</key>",
)
