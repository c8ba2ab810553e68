"""``sealbox scan``: the hardcoded-secret scanner.

::

    sources/  tree (.gitignore), git history, staged changes, image tarballs  -> Items
    engine    batches Items over worker processes                              -> Hits
    detect    keyword prefilter (Aho-Corasick), rule regexes, entropy, allowlists, pragmas
    rules, builtin, userconfig   rule data: built-in provider rules, user TOML/YAML
    report, sarif, redact        text / JSON / SARIF 2.1.0 output, redacted by default
    baseline                     known findings keyed by HMAC of the value
    importer                     move findings into KV v2 through the HTTP API
"""
