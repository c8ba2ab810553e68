"""Where texts come from: a directory tree, git history, staged changes, image tarballs."""
