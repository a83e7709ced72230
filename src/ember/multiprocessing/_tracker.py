"""Cleanup of shared-memory names that outlives the process that created them.

Each process that creates a segment starts, once, a small watcher process (this file run by
path with ``python -I -S``: standard library only, so it starts in milliseconds without NumPy
or Ember). The watcher blocks reading a pipe whose write end only the creator holds (and its
forked children inherit); end-of-file means all of them are gone, SIGKILL included. It then
removes the creator's names, ``ember_<root>_<creator>_*``, under the same rule as the living
processes apply (see ``_shared``): a name is unlinked once no handle to it is in flight, and
every remaining one once the root of the process tree is gone too. The root's watcher also
sweeps names of any other dead creator in its tree. Mappings keep their memory after the name
is removed, so no live receiver loses data.

The header layout (``inflight``, ``released`` as two int64 at offset 0) is repeated here rather
than imported, since importing ``ember`` would cost the watcher NumPy's start-up time.
"""
import fcntl
import os
import struct
import sys
import time

SHM_DIR = "/dev/shm"
_HDR = struct.Struct("qq")
_POLL_S = 0.2


def start_watcher(root, creator):
    """Spawn the watcher of ``creator``'s names (in tree ``root``); returns the pipe's write
    end, which the caller keeps open for its whole life (never closed, never written)."""
    read_end, write_end = os.pipe()  # both non-inheritable: exec'd children do not get them
    try:
        os.posix_spawn(sys.executable,
                       [sys.executable, "-I", "-S", os.path.abspath(__file__), str(root),
                        str(creator)],
                       {"PATH": os.environ.get("PATH", "")},
                       file_actions=[(os.POSIX_SPAWN_DUP2, read_end, 3)], setsid=True)
    except BaseException:
        os.close(write_end)
        raise
    finally:
        os.close(read_end)
    return write_end


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie no longer uses anything
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def _creator_of(name):
    try:
        return int(name.split("_")[2])
    except (IndexError, ValueError):
        return None


def _unlink(name):
    try:
        os.unlink(os.path.join(SHM_DIR, name))
    except FileNotFoundError:
        pass


def _release_unless_inflight(name):
    """Mark ``name`` released (its creator is dead) and unlink it when no handle is in
    flight, under the segment's file lock; True when the name is gone."""
    try:
        fd = os.open(os.path.join(SHM_DIR, name), os.O_RDWR)
    except FileNotFoundError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        if os.fstat(fd).st_nlink == 0:
            return True
        raw = os.pread(fd, _HDR.size, 0)
        inflight = _HDR.unpack(raw)[0] if len(raw) == _HDR.size else 0
        if inflight <= 0:
            _unlink(name)
            return True
        os.pwrite(fd, _HDR.pack(inflight, 1), 0)
        return False
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _pending(root, creator):
    """Names this watcher is responsible for: the creator's, and for the root's watcher those
    of every dead creator in the tree."""
    prefix = f"ember_{root}_"
    try:
        names = [n for n in os.listdir(SHM_DIR) if n.startswith(prefix)]
    except OSError:
        return []
    if creator == root:
        return [n for n in names if _creator_of(n) is not None and
                (_creator_of(n) == creator or not _alive(_creator_of(n)))]
    return [n for n in names if _creator_of(n) == creator]


def watch(root, creator, fd=3):
    """Block until the creator (and every process holding the pipe) is gone, then remove its
    names: those not in flight at once, the rest as receivers map them or once the root is
    gone too."""
    while True:
        try:
            if not os.read(fd, 1):
                break
        except InterruptedError:
            continue
        except OSError:
            break
    os.close(fd)
    while True:
        root_gone = creator == root or not _alive(root)
        left = []
        for name in _pending(root, creator):
            if root_gone:
                _unlink(name)
            elif not _release_unless_inflight(name):
                left.append(name)
        if not left:
            return
        time.sleep(_POLL_S)

if __name__ == "__main__":
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watch(int(sys.argv[1]), int(sys.argv[2]))
