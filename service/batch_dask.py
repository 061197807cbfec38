"""The dask engine: the batch's chunks tagged on a Dask distributed cluster.

Only this module imports dask, so `tagger tag` works without it. Each worker
loads the bundle once, at start-up, through `BundlePlugin`; chunks go out in a
bounded window and come back in input order (`service.batch_engines.ordered`), and the
main process writes them exactly as the local engine does.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from distributed import Client, KilledWorker, LocalCluster, WorkerPlugin, get_worker

from model.bundle import load_bundle
from model.errors import TaggerError
from model.tagger import Tagger
from service.batch_engines import ordered, tag_chunk
from service.batch_job import BatchError, Outcome, Pending

PLUGIN = "vn-tech-tagger-bundle"
QUIET = "warning"  # dask logs every worker start and stop at info level


class BundlePlugin(WorkerPlugin):
    """Loads the bundle at `path` (as the worker sees it) when a worker starts."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.tagger: Tagger | None = None

    def setup(self, worker: object) -> None:
        self.tagger = load_bundle(self.path)


def _tag_on_worker(articles: list[dict[str, str]], explain: bool) -> list[Outcome]:
    plugin = get_worker().plugins.get(PLUGIN)
    if not isinstance(plugin, BundlePlugin) or plugin.tagger is None:
        raise RuntimeError(f"this worker has no bundle loaded (plugin {PLUGIN} missing or failed)")
    return tag_chunk(plugin.tagger, articles, explain)


class DaskEngine:
    """Tags on the cluster at `scheduler`, or on a LocalCluster of `jobs` single-threaded processes."""

    def __init__(self, bundle: Path, jobs: int, scheduler: str | None, explain: bool) -> None:
        self.bundle, self.jobs, self.scheduler, self.explain = str(Path(bundle).resolve()), jobs, scheduler, explain
        self.cluster: LocalCluster | None = None
        self.client: Client | None = None
        self._log_level = logging.getLogger("distributed").level
        self._environ: dict[str, str] | None = None

    def __enter__(self) -> DaskEngine:
        """Start or join the cluster and load the bundle on every worker.

        Raises
        ------
        BatchError
            If the scheduler cannot be reached or a worker cannot load the bundle.
        """
        # A LocalCluster sets OMP_NUM_THREADS and more in this process's environment for
        # its workers; that and our own setting are undone on exit.
        self._environ = dict(os.environ)
        # underthesea gives the root logger a handler, so dask's info logs would reach stderr:
        # quiet them here and, through the environment, in the worker processes a LocalCluster spawns
        logging.getLogger("distributed").setLevel(QUIET.upper())
        os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", QUIET)
        try:
            if self.scheduler:
                self.client = Client(self.scheduler)
            else:
                self.cluster = LocalCluster(n_workers=self.jobs, threads_per_worker=1, processes=True,
                                            dashboard_address=None, silence_logs=logging.WARNING)
                self.client = Client(self.cluster)
            self.client.register_plugin(BundlePlugin(self.bundle), name=PLUGIN)
        except TaggerError as exc:
            self.__exit__()
            raise BatchError(f"a dask worker could not load the bundle {self.bundle}: {exc}") from None
        except OSError as exc:
            self.__exit__()
            raise BatchError(f"cannot reach the dask scheduler {self.scheduler or '(local)'}: {exc}") from None
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None
        logging.getLogger("distributed").setLevel(self._log_level)
        if self._environ is not None:
            for key in set(os.environ) - set(self._environ):
                del os.environ[key]
            os.environ.update(self._environ)
            self._environ = None

    def map(self, chunks: Iterable[list[Pending]]) -> Iterator[tuple[list[Pending], list[Outcome]]]:
        assert self.client is not None, "use DaskEngine as a context manager"
        client = self.client
        window = 2 * max(1, sum(client.nthreads().values()))  # two chunks per worker thread in flight
        try:
            yield from ordered(chunks, lambda c: client.submit(_tag_on_worker, [p.article for p in c], self.explain,
                                                               pure=False), window)
        except KilledWorker as exc:
            raise BatchError(f"dask workers kept dying on a chunk: {exc}") from None
