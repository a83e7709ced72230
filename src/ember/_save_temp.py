"""Temporary files behind ``ember.save(obj, path)``'s atomic replace, and their cleanup.

A save writes ``.<name>.ember-tmp-<pid>-<tag>`` beside the target and renames it into place,
so a killed writer leaves the previous file intact. What such a writer leaves behind is only a
temporary named after it; the next save to the same path removes every temporary whose
writer process no longer exists.
"""
import contextlib
import os
import re
import secrets

_MARK = ".ember-tmp-"


def create_temp(path):
    """Create and open (``O_EXCL``; mode 0666 less the umask, as a plain ``open``) a fresh
    temporary for saving to ``path``; returns ``(fd, temp_path)``."""
    folder, base = os.path.split(os.path.abspath(path))
    while True:
        tmp = os.path.join(folder, f".{base}{_MARK}{os.getpid()}-{secrets.token_hex(4)}")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue


def _writer_alive(pid):
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except OSError:
        return True
    return True


def remove_stale_temps(path):
    """Delete the temporaries beside ``path`` left by saves whose process has died; returns
    the names removed. Temporaries of live writers (this process included) are kept."""
    folder, base = os.path.split(os.path.abspath(path))
    pattern = re.compile(re.escape(f".{base}{_MARK}") + r"(\d+)-[0-9a-f]+\Z")
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        m = pattern.match(name)
        if m and not _writer_alive(int(m.group(1))):
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(folder, name))
                removed.append(name)
    return removed
