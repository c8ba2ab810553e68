"""The barrier: every stored value encrypted, the keyring protected by the seal."""
