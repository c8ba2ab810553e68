"""The server process: configuration, dev mode, listeners."""
