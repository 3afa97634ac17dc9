"""Loaded by the dbt processes the athena-target tests start (their PYTHONPATH names this folder).

dbt-athena opens a boto3 Session for every node and a client for every Glue or S3 call; each new
Session gets a new botocore Loader, which re-reads and re-parses botocore's endpoints.json and the
service models. Against AWS that cost hides behind network latency; against a local endpoint it
is a large part of a build's time (measured with the earlier DuckDB-backed harness: ~49 s without
this, ~20 s with it). Sharing one Loader per data path changes no request that dbt sends.
"""

import threading

import botocore.session

_create_loader = botocore.session.create_loader
_lock = threading.Lock()
_loaders: dict = {}


class _SearchPaths(list):
    """boto3 appends its own data folder to the loader of every Session: keep a single copy."""

    def append(self, path):
        if path not in self:
            super().append(path)


def _shared_loader(search_path_string=None):
    with _lock:
        loader = _loaders.get(search_path_string)
        if loader is None:
            loader = _create_loader(search_path_string)
            loader._search_paths = _SearchPaths(loader._search_paths)
            _loaders[search_path_string] = loader
        return loader


botocore.session.create_loader = _shared_loader
