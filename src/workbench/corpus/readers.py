"""Reading sources for a batch: in this process, or in forked reader processes a few files ahead of the
writer when a CPU is spare (see `reader_count`)."""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
import warnings
from pathlib import Path

from .importers import read_or_report

_PARALLEL_MIN_FILES = 64  # below this, starting a reader process costs more than it saves
_MAX_READERS = 4
_READ_AHEAD = 8  # files a reader may have read that the writer has not taken yet


def reader_count(n_files: int, workers: int | None) -> int:
    """How many reader processes to fork (0: read in this process).

    By default, for batches of 64 files or more, one per CPU the writer leaves free (at least one, at most
    4), and none when the machine is busy (load average above CPUs - 0.5: on a 2-CPU machine a reader
    sped a 1,000-file batch up at a load of 1, and slowed it down at a load of 2.5). Only with fork (Linux),
    and only while this process has a single thread: forking a process with other threads (a Jupyter
    kernel's) can deadlock the child, so there the batch reads in-process. Forked readers start at once
    with every module loaded; they read and parse files and send the documents back.
    """
    cpus = os.cpu_count() or 1
    if workers is None:
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
        if n_files < _PARALLEL_MIN_FILES or cpus < 2 or load > cpus - 0.5:
            return 0
        workers = min(max(1, round(cpus - 1 - load)), _MAX_READERS)
    if workers < 1 or not sys.platform.startswith("linux") or threading.active_count() > 1:
        return 0
    return min(workers, n_files)


def _die_with_parent(parent: int) -> None:
    """End this reader when the batch's process dies, even by kill -9 (which runs no clean-up there).

    On Linux the kernel sends SIGKILL on the parent's death (prctl PR_SET_PDEATHSIG); a watchdog thread
    that notices the parent is gone is the fallback, and also covers a parent that died before prctl.
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        pass

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(0.5)

    threading.Thread(target=watch, name="workbench-reader-watchdog", daemon=True).start()


def _read_share(sources: list[Path], k: int, n: int, encoding: str | None, out, options: dict | None = None,
                parent: int | None = None) -> None:
    """A reader process: files k, k+n, k+2n, ... in order, each sent as (index, documents, error)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the writer's to handle; it ends the readers
    if parent is not None:
        _die_with_parent(parent)
    for i in range(k, len(sources), n):
        out.put((i, *read_or_report(sources[i], encoding, **(options or {}))))
    out.close()
    out.join_thread()


class SourceReader:
    """The sources, read in order: by reader processes a few files ahead of the writer, or in-process.

    Each reader has its own queue and takes every n-th file, so results come back in order without a
    scheduler, and this process reads the queues in its own thread (a helper thread here would fight the
    writer for the GIL). A reader that dies leaves its files to be read in-process.
    """

    def __init__(self, sources: list[Path], encoding: str | None, readers: int = 0, options: dict | None = None):
        self.sources = sources
        self.encoding = encoding
        self.options = options or {}  # kind, pdf_folder: passed to read_or_report
        self.readers = 0
        self._procs: list = []
        self._queues: list = []
        if readers:
            try:
                ctx = multiprocessing.get_context("fork")
                for k in range(readers):
                    q = ctx.Queue(maxsize=_READ_AHEAD)
                    proc = ctx.Process(target=_read_share, args=(sources, k, readers, encoding, q, self.options, os.getpid()),
                                       name=f"workbench-reader-{k}", daemon=True)
                    proc.start()
                    self._procs.append(proc)
                    self._queues.append(q)
                self.readers = readers
            except (OSError, ValueError) as exc:  # no fork or no semaphores (some sandboxes)
                self.close()
                warnings.warn(f"reading in-process: cannot start reader processes ({exc})", RuntimeWarning,
                              stacklevel=3)

    def _take(self, i: int) -> tuple | None:
        """File i from its reader, or None if that reader is gone."""
        k = i % self.readers
        q, proc = self._queues[k], self._procs[k]
        while True:
            try:
                item = q.get(timeout=0.5)
            except queue.Empty:
                if proc.is_alive():
                    continue
                try:  # it may have sent its last files just before it ended
                    item = q.get(timeout=0.1)
                except queue.Empty:
                    return None
            return item if item[0] == i else None

    def __iter__(self):
        for i, f in enumerate(self.sources):
            item = self._take(i) if self.readers else None
            if item is None:
                if self.readers:
                    self.close()  # a reader died (killed, out of memory): the rest is read here
                item = (i, *read_or_report(f, self.encoding, **self.options))
            yield f, item[1], item[2]

    def __len__(self) -> int:
        return len(self.sources)

    def close(self) -> None:
        for proc in self._procs:
            if proc.is_alive():
                proc.terminate()
            proc.join(timeout=5)
        for q in self._queues:
            q.close()
            q.cancel_join_thread()
        self._procs, self._queues, self.readers = [], [], 0
