"""The core: seal state, mounts and routing, tokens, policies, audit, wrapping, sys/*."""
