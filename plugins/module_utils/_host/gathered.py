# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a dry run read, handed to the update that follows it, so that a host is read once per rollout.

A check-mode run with ``keep_gathered`` returns ``gathered`` per component: what the gather line and the catalog
step printed on the host, packed (zlib + base64: a metabase listing is several KB of repetitive text), with the
paths and the adsutil.vbs they were read for and the controller's time. An update given it back as ``gathered``
reads its facts from it (:func:`read_facts` and :func:`read_catalog` are pure) instead of sending those two lines
again; it sends everything else as usual. It reads the host itself instead when the record is older than
:data:`MAX_AGE`, names other files, or is not one (:func:`unpack` says None): a stale or foreign record is never
an error, only a request more.

What a dry run does not read, the update asks for itself: the lock probe (a check-mode run never opens dest for
writing) only matters when the DLL's holders are all programs outside IIS, and :mod:`update` then reads the host
again; a metabase walked key by key (an adsutil.vbs without ENUM_ALL) is not kept.
"""

from __future__ import annotations

import base64
import time
import zlib
from typing import Any

#: Format of ``gathered``; another one is read as "not usable".
VERSION = 1
#: Seconds a dry run's reading stays good for its update (a drain step may come in between).
MAX_AGE = 900.0


def _pack_text(text: str) -> str:
    return base64.b64encode(zlib.compress(text.encode("utf-8"), 6)).decode("ascii")


def _unpack_text(text: str) -> str:
    return zlib.decompress(base64.b64decode(text.encode("ascii"), validate=True)).decode("utf-8")


CLOCK_SKEW = 60  # seconds the dry run's controller clock may be ahead of the update's (AWX nodes)


def pack(outputs: dict[str, str], src: str, dest: str, adsutil: str, now: float | None = None) -> dict[str, Any]:
    """``gathered`` from what the steps ``gather`` and (when sent) ``catalog`` printed."""
    return {
        "version": VERSION,
        "read_at": int(time.time() if now is None else now),  # whole seconds, never ahead of the clock
        "src": src,
        "dest": dest,
        "adsutil": adsutil,
        "outputs": {step: _pack_text(text) for step, text in outputs.items()},
    }


def unpack(data: Any, src: str, dest: str, adsutil: str, now: float | None = None) -> dict[str, str] | None:
    """The outputs of ``gathered`` (step -> text) when it may stand for reading the host now: the same format,
    files and adsutil.vbs, not older than MAX_AGE seconds and with the gather's output. Else None."""
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return None
    if str(data.get("src", "")).lower() != src.lower() or str(data.get("dest", "")).lower() != dest.lower():
        return None
    if str(data.get("adsutil", "")).lower() != adsutil.lower():
        return None
    try:
        age = (time.time() if now is None else now) - float(data.get("read_at"))
        outputs = {str(k): _unpack_text(str(v)) for k, v in dict(data.get("outputs") or {}).items()}
    except (TypeError, ValueError, zlib.error, UnicodeDecodeError):
        return None
    # A reading "from the future" by more than CLOCK_SKEW was made by another clock than this one: not used.
    if not -CLOCK_SKEW <= age <= MAX_AGE or "gather" not in outputs:
        return None
    return outputs


class RecordingSession:
    """A session that keeps what the first ``gather`` and ``catalog`` steps printed (for ``keep_gathered``); every
    other attribute is the wrapped session's."""

    KEPT = ("gather", "catalog")

    def __init__(self, session: Any) -> None:
        self.__dict__["_session"] = session
        self.__dict__["outputs"] = {}

    def run(self, step: str, parts: list[str], **kwargs: Any) -> Any:
        res = self._session.run(step, parts, **kwargs)
        if step in self.KEPT and step not in self.outputs and res.complete:
            self.outputs[step] = res.output
        return res

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._session, name, value)
